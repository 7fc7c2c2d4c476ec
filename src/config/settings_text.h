/* settings_text.h: reading settings back from their text (`key = value` lines as
 * config_text writes them; `#` comments and blank lines skipped), to compare two runs'
 * settings key by key: a checkpoint's with a resumed run's, one rank's with another's.
 * It only reads text; what a difference means is the caller's. */
#ifndef RECUR_SETTINGS_TEXT_H
#define RECUR_SETTINGS_TEXT_H

#include <stddef.h>

enum { SETTING_KEY_MAX = 64, SETTING_VALUE_MAX = 1100 };

/* The next `key = value` line at *cursor (advanced past it): 1 with key and value copied
 * (cut to their buffers), 0 at the end of the text. */
int settings_next(const char **cursor, char key[SETTING_KEY_MAX], char value[SETTING_VALUE_MAX]);
/* The value of key in text: 1 and copied into value, or 0 when the text has no such key. */
int settings_lookup(const char *text, const char *key, char value[SETTING_VALUE_MAX]);

#endif
