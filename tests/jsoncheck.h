/* jsoncheck.h - the tests' checks of a results JSON file against the CSV
 * files of the same run: load it (a parse error is a failed check), compare
 * a JSON value with a CSV cell (a number the same to the CSV's printed
 * digits, null an empty cell), find a CSV row's object, check every row.
 * Used by test_json (summary.json) and test_tune (tune.json). */
#ifndef AS_JSONCHECK_H
#define AS_JSONCHECK_H

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tablecheck.h"

static inline json_t *load_json(const char *dir, const char *name)
{
	char path[512];
	json_error_t e;
	json_t *j;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	j = json_load_file(path, 0, &e);
	CHECKF(j != NULL, "%s: line %d: %s", path, e.line, e.text);
	return j;
}

/* Does JSON value v say what CSV cell s says? A string the same text, a
 * number the same to the CSV's %.6g, null an empty cell. */
static inline int same_value(const json_t *v, const char *s)
{
	char buf[64];
	if (json_is_null(v))
		return *s == '\0';
	if (json_is_string(v))
		return !strcmp(json_string_value(v), s);
	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		return !strcmp(buf, s);
	}
	if (json_is_real(v)) {
		double x = json_real_value(v), y;
		char *end;
		y = strtod(s, &end);
		/* %.6g, or %.0f for an integer column whose median is x.5 */
		return *s && !*end &&
		       (fabs(x - y) <= 5e-6 * fabs(x) || (!strpbrk(s, ".e") && fabs(x - y) <= 0.5));
	}
	return 0;
}

/* Every real in DIR/NAME's text has the CSV's 6 significant digits at
 * most, or is an integer column's median of an even count (x.5, exact):
 * a ratio or a p-value printed to 17 digits (1.3064516129032258,
 * 0.050000000000000003) says nothing the CSV does not. NEED_REALS: the
 * file must hold one (a check that saw none checked nothing). */
static inline void check_digits(const char *dir, const char *name, int need_reals)
{
	char path[512], *text = NULL;
	size_t len = 0;
	int in_str = 0, reals = 0;
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	CHECKF(f != NULL, "%s: cannot open", path);
	if (!f)
		return;
	if (getdelim(&text, &len, '\0', f) < 0) {
		CHECKF(0, "%s: cannot read", path);
		fclose(f);
		free(text);
		return;
	}
	fclose(f);
	for (char *p = text; *p; p++) {
		if (in_str) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				in_str = 0;
			continue;
		}
		if (*p == '"') {
			in_str = 1;
			continue;
		}
		if (*p == '-' || (*p >= '0' && *p <= '9')) {
			size_t n = strspn(p, "-+0123456789.eE");
			int sig = 0, lead = 1, zeros = 0;
			char tok[64];
			snprintf(tok, sizeof(tok), "%.*s", (int)(n < 63 ? n : 63), p);
			if (strpbrk(tok, ".eE")) {
				reals++;
				/* the mantissa's digits less leading and trailing zeros
				 * (jansson prints 5.50017e+07 as 55001700.0) */
				for (char *q = tok; *q && *q != 'e' && *q != 'E'; q++) {
					if (*q < '0' || *q > '9')
						continue;
					lead = lead && *q == '0';
					if (!lead && *q == '0')
						zeros++;
					else if (!lead) {
						sig += zeros + 1;
						zeros = 0;
					}
				}
				CHECKF(sig <= 6 || (strlen(tok) > 2 &&
				                    !strcmp(tok + strlen(tok) - 2, ".5")),
				       "%s: %s has %d significant digits, the CSV 6", path, tok,
				       sig);
			}
			p += n - 1;
		}
	}
	CHECKF(reals > 0 || !need_reals, "%s: no real number to check", path);
	free(text);
}

/* The object of arr whose KEYS equal row r's cells, or NULL. */
static inline json_t *find_row(json_t *arr, const as_table_t *t, size_t r, const char *const *keys)
{
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o)
	{
		int all = 1;
		for (int k = 0; keys[k] && all; k++)
			all = same_value(json_object_get(o, keys[k]), tc_str(t, r, keys[k]));
		if (all)
			return o;
	}
	return NULL;
}

/* Every row of DIR/CSV is one object of arr with every column's value;
 * arr has as many objects as the file has rows. */
static inline void check_rows(const char *dir, const char *csv, json_t *arr,
                              const char *const *keys)
{
	char path[512];
	as_table_t t = {0};
	snprintf(path, sizeof(path), "%s/%s", dir, csv);
	CHECKF(json_is_array(arr), "%s: no JSON array", csv);
	if (!json_is_array(arr) || tc_load(path, &t) != 0)
		return;
	CHECKF(json_array_size(arr) == t.nrows, "%s: %zu rows, JSON %zu", csv, t.nrows,
	       json_array_size(arr));
	for (size_t r = 0; r < t.nrows; r++) {
		json_t *o = find_row(arr, &t, r, keys);
		CHECKF(o != NULL, "%s row %zu: no JSON object", csv, r);
		for (size_t c = 0; o && c < t.ncols; c++) {
			const char *col = t.head[c];
			json_t *v = json_object_get(o, col);
			CHECKF(v != NULL, "%s: key %s missing", csv, col);
			if (v)
				CHECKF(same_value(v, tc_str(&t, r, col)), "%s row %zu %s: CSV '%s'",
				       csv, r, col, tc_str(&t, r, col));
		}
	}
	as_table_free(&t);
}

#endif /* AS_JSONCHECK_H */
