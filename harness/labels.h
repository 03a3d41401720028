/* labels.h - the shortest distinguishing labels of a set of spec labels
 * ("name:k=v,..."), shared by the charts, the report and the console. No
 * state; not thread-safe only in that out[] is the caller's. */
#ifndef AS_LABELS_H
#define AS_LABELS_H

#include <stddef.h>

#define AS_LABEL_MAX 512 /* longest label handled whole */

/* Value of KEY in a "k=v,k=v" params string into out: 0, or -1 when absent. */
int as_label_param(const char *params, const char *key, char *out, size_t outlen);

/* The name part of "name:params" into out: a path's file name, without
 * .so. */
void as_label_name(const char *label, char *out, size_t len);

/* The shortest distinguishing form of each of the n labels in[] into
 * out[i] (malloc'd, the caller frees): the name (a path's file name without
 * .so), the params whose value differs between labels of that name, and a
 * `file` param (a trace's) always, as its file name without the folder
 * (trace:file=prog.ast); two that would still read alike keep their full
 * form. */
void as_short_labels(char *const *in, int n, char **out);

#endif /* AS_LABELS_H */
