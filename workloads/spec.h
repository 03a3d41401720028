/* spec.h - a module or workload spec, parsed once at the CLI from
 * NAME[:k=v,...] (or built directly, as replay does for a trace path) and
 * then carried as this struct: the runner, the wire to the worker, the
 * loader and the reporters read its fields and never split a string again.
 * Not thread-safe; a spec owns every string it points to. */
#ifndef AS_SPEC_H
#define AS_SPEC_H

#include <stddef.h>

/* One key=value param, both owned by the spec. */
typedef struct as_kv {
	char *key;
	char *value;
} as_kv_t;

typedef struct as_spec {
	char *name;   /* module name or path as given, or workload name */
	char *params; /* the params as given, "k=v,k=v" ("" when none): what a
	                 module's create() receives and what CSV files show */
	char *label;  /* NAME or NAME:params, for tables and messages */
	as_kv_t *kv;  /* params split into pairs */
	size_t nkv;
} as_spec_t;

typedef enum as_spec_kind {
	AS_SPEC_MODULE,  /* a path may hold ':' before its last '/' */
	AS_SPEC_WORKLOAD /* a first item without '=' is the first param's value:
	                    the workload registry resolves it (key "") */
} as_spec_kind_t;

/* Parse "NAME[:k=v,...]" into *out (zeroed by the callee). Returns 0, or -1
 * with "'TEXT': reason" in err (empty name; an item without '=': "key 'K'
 * has no '=value'"; "key 'K' given twice"). Values may hold any byte but
 * ','. The caller frees *out with as_spec_free. */
int as_spec_parse(const char *text, as_spec_kind_t kind, as_spec_t *out, char *err, size_t errlen);

/* Build a spec from a name and n key/value pairs (copied), e.g. a trace path
 * that may hold ',' or ':'. The params string and label join them with ','
 * and '=' for display only. Returns 0, or -1 when out of memory. */
int as_spec_make(const char *name, const char *const *keys, const char *const *values, size_t n,
                 as_spec_t *out);

/* Deep copy. Returns 0 or -1 (out of memory). */
int as_spec_copy(const as_spec_t *src, as_spec_t *out);

/* Free what a spec owns and zero it (safe on a zeroed spec). */
void as_spec_free(as_spec_t *s);

/* Parse a comma list of specs ("refmalloc:a=1,b=2,glibc"): an item holding
 * '=' but no ':' continues the previous spec's params. Fills out[0..n) and
 * returns n, or -1 with err naming the list (empty item, more than max). */
int as_spec_parse_list(const char *list, as_spec_kind_t kind, as_spec_t *out, int max, char *err,
                       size_t errlen);

/* Whether two of specs[0..n) have the same label (`run -a null,null`,
 * `check null null`: rows nothing tells apart, work done twice): 1 with
 * "'LABEL' is given twice" in err (the label as as_show shows it), else 0.
 * The caller adds its prefix and what the twice would cost. */
int as_spec_given_twice(const as_spec_t *specs, int n, char *err, size_t errlen);

/* Value of KEY in the spec's params, or NULL. */
const char *as_spec_get(const as_spec_t *s, const char *key);

/* TEXT as a message shows it, on one line and safe for a terminal: a
 * newline, CR or tab as \n, \r, \t, any other control byte (ESC, ...) or
 * byte that is not printable UTF-8 as \xNN; and when that is AS_SHOW_MAX
 * bytes or more, its start and end around "..." (a path keeps its file
 * name), so that a message quoting a very long argument still ends with its
 * reason. Returns TEXT itself when it needs neither, else buf (AS_SHOW_MAX
 * bytes). Never allocates; thread-safe. */
#define AS_SHOW_MAX 128
const char *as_show(const char *text, char *buf);

#endif /* AS_SPEC_H */
