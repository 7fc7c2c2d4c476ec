/* prep_paths.h: the output path of `recur prep` checked before any input is read. */
#ifndef RECUR_PREP_PATHS_H
#define RECUR_PREP_PATHS_H

#include "config/prep_config.h"

/* Exit 2 in one line when the output's directory is missing or not writable, the output
 * is a directory, the output is one of the inputs (same device and inode) or lies inside
 * an input folder. Removes the output's temporary files left by killed preps. */
void prep_check_paths(const PrepConfig *cfg);

#endif
