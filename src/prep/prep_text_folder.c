/* prep_text_folder.c: `recur prep text-folder` — the aclImdb layout: a folder per split
 * holding one sub-folder per class (train/pos/ID_RATING.txt, train/neg/...); each .txt file is
 * one example whose label is its sub-folder's name. The shared finishing pass
 * (raw_text.c) does the rest.
 *
 * Deterministic: class folders and files are read in strcmp order of their names. With
 * `labels` given only the folders it names are read (each must exist); without it every
 * sub-folder is a class except `unsup` (aclImdb's unlabelled reviews), skipped with a
 * note. It reads and checks; it does not build vocabularies or write files. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "converters.h"
#include "core/check.h"
#include "data/text_file.h"
#include "raw_text.h"
#include "text_input.h"

/* Names in a folder, sorted. */
typedef struct NameList {
    char **names;
    int count, cap;
} NameList;

static void name_list_add(NameList *l, const char *name) {
    if (l->count == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        char **grown = realloc(l->names, sizeof(char *) * (size_t)l->cap);
        if (!grown) recur_die(EXIT_RUNTIME, "out of memory listing a folder (%d names)", l->cap);
        l->names = grown;
    }
    size_t n = strlen(name) + 1;
    l->names[l->count++] = memcpy(xmalloc(n, "file name"), name, n);
}

static void name_list_free(NameList *l) {
    for (int i = 0; i < l->count; i++) free(l->names[i]);
    free(l->names);
    memset(l, 0, sizeof *l);
}

static int compare_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static char *join_path(const char *folder, const char *name) {
    size_t n = strlen(folder) + strlen(name) + 2;
    char *path = xmalloc(n, "path");
    snprintf(path, n, "%s/%s", folder, name);
    return path;
}

typedef enum { KIND_FOLDER, KIND_FILE } EntryKind;

static int is_kind(const char *path, EntryKind kind) {
    struct stat st;
    if (stat(path, &st) != 0) return 0;
    return kind == KIND_FOLDER ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
}

static int ends_with_txt(const char *name) {
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".txt") == 0;
}

/* Entries of `folder` of the given kind (sub-folders, or .txt files), sorted,
 * hidden ones left out. */
static NameList list_folder(const char *folder, EntryKind kind) {
    DIR *dir = opendir(folder);
    if (!dir) prep_fail(folder, 0, "cannot open the folder: %s", strerror(errno));
    NameList l = {0};
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        if (e->d_name[0] == '.' || (kind == KIND_FILE && !ends_with_txt(e->d_name))) continue;
        char *path = join_path(folder, e->d_name);
        if (is_kind(path, kind)) name_list_add(&l, e->d_name);
        free(path);
    }
    closedir(dir);
    qsort(l.names, (size_t)l.count, sizeof(char *), compare_names);
    return l;
}

/* The class folders to read: those `labels` names, or every sub-folder but unsup. */
static NameList class_folders(const char *folder, const PrepConfig *cfg) {
    NameList classes = {0};
    if (!*cfg->labels) {
        NameList all = list_folder(folder, KIND_FOLDER);
        for (int i = 0; i < all.count; i++) {
            if (strcmp(all.names[i], "unsup") == 0) printf("note: %s/unsup skipped (unlabelled)\n", folder);
            else name_list_add(&classes, all.names[i]);
        }
        name_list_free(&all);
        if (classes.count == 0)
            prep_fail(folder, 0, "no class sub-folders (expected one folder of .txt files per class, e.g. pos/ neg/)");
        return classes;
    }
    char item[PREP_LIST];
    for (const char *p = cfg->labels;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        while (n > 0 && *p == ' ') p++, n--;
        while (n > 0 && p[n - 1] == ' ') n--;
        if (n == 0) recur_die(EXIT_USAGE, "labels = '%s': an empty item", cfg->labels);
        snprintf(item, sizeof item, "%.*s", (int)n, p);
        char *path = join_path(folder, item);
        if (!is_kind(path, KIND_FOLDER)) prep_fail(path, 0, "no such class folder (labels = '%s')", cfg->labels);
        free(path);
        name_list_add(&classes, item);
        if (!comma) break;
        p = comma + 1;
    }
    return classes;
}

/* One file: one example labelled `label`. */
static void read_example(RawText *raw, RawSplit *split, const char *path, const char *label, const PrepConfig *cfg) {
    TextFile file = prep_read_text(path, cfg);
    ParseError err;
    if (tokenize(&cfg->tokenizer, file.data, file.size, 1, &split->tokens, &err) < 0) {
        require_utf8(path, 1, file.data, file.size, "the text");
        prep_fail_parse(path, &err);
    }
    raw_end_example(split, label, strlen(label), raw_text_source(raw, path), 1);
    text_file_free(&file);
}

/* Every class folder of `folder` into raw split k. */
static void read_folder(RawText *raw, SplitId k, const char *folder, const PrepConfig *cfg,
                        const void *unused) {
    struct stat st;
    if (stat(folder, &st) != 0) prep_fail(folder, 0, "cannot read the folder: %s", strerror(errno));
    if (!S_ISDIR(st.st_mode)) prep_fail(folder, 0, "not a folder (text-folder reads a folder of class sub-folders)");
    NameList classes = class_folders(folder, cfg);
    for (int c = 0; c < classes.count; c++) {
        char *class_folder = join_path(folder, classes.names[c]);
        NameList files = list_folder(class_folder, KIND_FILE);
        if (files.count == 0) prep_fail(class_folder, 0, "no .txt files");
        for (int f = 0; f < files.count; f++) {
            char *path = join_path(class_folder, files.names[f]);
            read_example(raw, &raw->splits[k], path, classes.names[c], cfg);
            free(path);
        }
        name_list_free(&files);
        free(class_folder);
    }
    name_list_free(&classes);
    raw->has_split[k] = 1;
}

void convert_text_folder(const PrepConfig *cfg, PreparedDataset *out) {
    raw_text_convert(TASK_CLASSIFY, cfg, read_folder, NULL, out);
}
