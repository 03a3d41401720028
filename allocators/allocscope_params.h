/* allocscope_params.h - parse "key=value,key=value" parameter strings against a
 * spec table. Header-only so that a third-party module needs nothing but the
 * installed headers; the harness uses the same code for workload params, so
 * every params string in allocscope follows one grammar and one error style.
 * Not a general config parser: no quoting, no nesting, so a value cannot
 * contain ','.
 *
 * Grammar (version 1): items separated by ','; empty items are skipped; each
 * item is key=value, the key one of the spec's, the value everything after
 * the first '=' (at most AS_PARAM_STR_MAX-1 bytes, else refused). A key given
 * twice takes its last value. Keys not given take their spec default.
 *
 * ABI status: this header is part of the module ABI. A module compiles this
 * parser into itself and exports its spec table, so a change here reaches
 * modules built long ago. The rules, for modules and workloads alike:
 *  - The grammar is frozen at AS_PARAMS_VERSION. A string accepted by version
 *    N means the same under every later version; a change may only accept
 *    strings that were refused before (a new type, a new suffix), and it
 *    increments AS_PARAMS_VERSION.
 *  - as_param_spec_t grows only at its end and as_param_type_t only gets new
 *    values at its end; no field or value changes meaning. A reader of a
 *    module's table steps by the module's param_spec_size.
 *  - Workloads and the harness use only the public functions below
 *    (as_params_parse, as_param_parse_value); names ending in '_' are
 *    internal. A workload that needs more than the grammar offers parses an
 *    AS_PARAM_STR value itself, or extends this header under these rules. */
#ifndef ALLOCSCOPE_PARAMS_H
#define ALLOCSCOPE_PARAMS_H

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the params grammar and of as_param_spec_t (see above). */
#define AS_PARAMS_VERSION 3u /* 2: AS_PARAM_PATH; 3: unset numeric defaults */

/* Value types. U64 and SIZE are unsigned integers as strtoull base 0 reads
 * them (decimal, 0x hex, 0-prefixed octal; no sign); SIZE also accepts one
 * suffix k/K (KiB), m/M (MiB), g/G (GiB). DOUBLE is strtod's, NaN refused.
 * ENUM stores the index of the chosen word in `choices` ("lifo|fifo|random").
 * STR copies the value, NUL-terminated, into a char[AS_PARAM_STR_MAX]. BOOL
 * accepts 1/0/true/false/yes/no/on/off. New types only ever go at the end. */
typedef enum as_param_type {
	AS_PARAM_U64 = 1,
	AS_PARAM_SIZE,
	AS_PARAM_DOUBLE,
	AS_PARAM_BOOL,
	AS_PARAM_ENUM,
	AS_PARAM_STR,
	AS_PARAM_PATH /* version 2 */
} as_param_type_t;

#define AS_PARAM_STR_MAX 256
/* PATH copies the value, NUL-terminated, into a char[AS_PARAM_PATH_MAX]:
 * any path the kernel accepts (PATH_MAX), where STR stops at 255 bytes. */
#define AS_PARAM_PATH_MAX 4096

/* Version 3: a U64, SIZE, DOUBLE or BOOL key whose defval is "" (or NULL)
 * is "unset" until given: as_params_parse stores these sentinels, which no
 * user value can produce, so a module can leave the allocator's own setting
 * alone (a setting whose mere presence changes behaviour, such as glibc's
 * M_MMAP_THRESHOLD switching its dynamic threshold off). Give such a U64 or
 * SIZE key a max, so that no user value reaches the sentinel. Before version 3
 * such a default was refused, so no older module meets this. */
#define AS_PARAM_UNSET_U64       UINT64_MAX
#define AS_PARAM_UNSET_BOOL      (-1)
#define AS_PARAM_IS_UNSET_DBL(v) ((v) != (v)) /* NaN */

/* One accepted key. `offset` is offsetof() the destination field in the
 * caller's struct: uint64_t for U64/SIZE, double for DOUBLE, int for BOOL and
 * ENUM, char[AS_PARAM_STR_MAX] for STR. `defval` is parsed exactly like a
 * user value (so defaults are checked by the same code); min/max bound
 * U64/SIZE/DOUBLE values inclusively (max 0 means no upper bound). */
typedef struct as_param_spec {
	const char *key;
	as_param_type_t type;
	const char *defval;
	double min;
	double max;
	const char *choices;
	const char *help;
	size_t offset;
	/* new fields only ever go here, after the fields of version 1 */
} as_param_spec_t;

/* Bytes of one as_param_spec_t entry of version 1 (64 on LP64): the entry
 * size of a module that does not say its own. */
#define AS_PARAM_SPEC_SIZE_V1 ((uint32_t)(offsetof(as_param_spec_t, offset) + sizeof(size_t)))

static inline int as_param_set_(const as_param_spec_t *s, const char *val, size_t vlen, void *out,
                                char *err, size_t errlen)
{
	char buf[AS_PARAM_STR_MAX];
	char *end = NULL;
	char *dst = (char *)out + s->offset;

	if (s->type == AS_PARAM_PATH) {
		if (vlen >= AS_PARAM_PATH_MAX) {
			snprintf(err, errlen, "key '%s': path is longer than %d bytes", s->key,
			         AS_PARAM_PATH_MAX - 1);
			return -1;
		}
		memcpy(dst, val, vlen);
		dst[vlen] = '\0';
		return 0;
	}
	if (vlen >= sizeof(buf)) {
		snprintf(err, errlen, "key '%s': value is longer than %d bytes", s->key,
		         AS_PARAM_STR_MAX - 1);
		return -1;
	}
	memcpy(buf, val, vlen);
	buf[vlen] = '\0';

	switch (s->type) {
	case AS_PARAM_U64:
	case AS_PARAM_SIZE: {
		unsigned long long v;
		unsigned long long mult = 1;
		if (vlen == 0 || buf[0] == '-' || buf[0] == '+')
			goto bad_number;
		errno = 0;
		v = strtoull(buf, &end, 0);
		if (errno != 0 || end == buf)
			goto bad_number;
		if (s->type == AS_PARAM_SIZE && *end != '\0' && end[1] == '\0') {
			switch (*end) {
			case 'k':
			case 'K':
				mult = 1ULL << 10;
				end++;
				break;
			case 'm':
			case 'M':
				mult = 1ULL << 20;
				end++;
				break;
			case 'g':
			case 'G':
				mult = 1ULL << 30;
				end++;
				break;
			default: break;
			}
		}
		if (*end != '\0')
			goto bad_number;
		if (mult > 1 && v > ULLONG_MAX / mult)
			goto bad_range;
		v *= mult;
		if ((double)v < s->min || (s->max > 0 && (double)v > s->max))
			goto bad_range;
		memcpy(dst, &(uint64_t){(uint64_t)v}, sizeof(uint64_t));
		return 0;
	}
	case AS_PARAM_DOUBLE: {
		double v;
		errno = 0;
		v = strtod(buf, &end);
		if (errno != 0 || end == buf || *end != '\0' || v != v)
			goto bad_number;
		if (v < s->min || (s->max > 0 && v > s->max))
			goto bad_range;
		memcpy(dst, &v, sizeof(v));
		return 0;
	}
	case AS_PARAM_BOOL: {
		int v;
		if (!strcmp(buf, "1") || !strcmp(buf, "true") || !strcmp(buf, "yes") ||
		    !strcmp(buf, "on"))
			v = 1;
		else if (!strcmp(buf, "0") || !strcmp(buf, "false") || !strcmp(buf, "no") ||
		         !strcmp(buf, "off"))
			v = 0;
		else {
			snprintf(err, errlen, "key '%s': '%s' is not a boolean (1/0, true/false)",
			         s->key, buf);
			return -1;
		}
		memcpy(dst, &v, sizeof(v));
		return 0;
	}
	case AS_PARAM_ENUM: {
		const char *c = s->choices;
		int idx = 0;
		while (c && *c) {
			size_t n = strcspn(c, "|");
			if (n == vlen && vlen > 0 && !strncmp(c, buf, n)) {
				memcpy(dst, &idx, sizeof(idx));
				return 0;
			}
			c += n;
			if (*c == '|')
				c++;
			idx++;
		}
		snprintf(err, errlen, "key '%s': '%s' is not one of %s", s->key, buf,
		         s->choices ? s->choices : "(none)");
		return -1;
	}
	case AS_PARAM_STR: memcpy(dst, buf, vlen + 1); return 0;
	case AS_PARAM_PATH: break; /* handled above */
	}
	snprintf(err, errlen, "key '%s': unknown parameter type", s->key);
	return -1;

bad_number:
	snprintf(err, errlen, "key '%s': '%s' is not a valid %s", s->key, buf,
	         s->type == AS_PARAM_DOUBLE ? "number"
	         : s->type == AS_PARAM_SIZE ? "size (bytes, optional k/m/g suffix)"
	                                    : "non-negative integer");
	return -1;
bad_range:
	if (s->max > 0)
		snprintf(err, errlen, "key '%s': %s is out of range %.15g..%.15g", s->key, buf,
		         s->min, s->max);
	else
		snprintf(err, errlen, "key '%s': %s is below the minimum %.15g", s->key, buf,
		         s->min);
	return -1;
}

/* Parse one value string `val` as the spec entry `s` says and store it at
 * `out` + s->offset, exactly as a "key=val" in a params string would be.
 * Returns 0, or -1 with a one-line message in `err` naming s->key. Pure
 * function of its inputs; thread-safe. */
static inline int as_param_parse_value(const as_param_spec_t *s, const char *val, void *out,
                                       char *err, size_t errlen)
{
	return as_param_set_(s, val, strlen(val), out, err, errlen);
}

/* Fill `out` with every default from `spec` (the unset sentinels above for an
 * empty numeric or boolean default), then apply "k=v,k=v" from `str`
 * (NULL or "" means defaults only). Returns 0 on success, -1 with a one-line
 * message in `err` naming the key and the reason (unknown key, missing '=',
 * bad or out-of-range value). Pure function of its inputs; thread-safe. */
static inline int as_params_parse(const as_param_spec_t *spec, size_t nspec, const char *str,
                                  void *out, char *err, size_t errlen)
{
	size_t i;
	const char *p = str;

	for (i = 0; i < nspec; i++) {
		const char *d = spec[i].defval ? spec[i].defval : "";
		char *dst = (char *)out + spec[i].offset;
		if (!*d && (spec[i].type == AS_PARAM_U64 || spec[i].type == AS_PARAM_SIZE)) {
			memcpy(dst, &(uint64_t){AS_PARAM_UNSET_U64}, sizeof(uint64_t));
			continue;
		}
		if (!*d && spec[i].type == AS_PARAM_DOUBLE) {
			memcpy(dst, &(double){NAN}, sizeof(double));
			continue;
		}
		if (!*d && spec[i].type == AS_PARAM_BOOL) {
			memcpy(dst, &(int){AS_PARAM_UNSET_BOOL}, sizeof(int));
			continue;
		}
		if (as_param_set_(&spec[i], d, strlen(d), out, err, errlen) != 0)
			return -1;
	}
	while (p && *p) {
		size_t len = strcspn(p, ",");
		const char *eq = memchr(p, '=', len);
		size_t klen;
		int found = 0;

		if (len == 0) {
			p++;
			continue;
		}
		if (!eq) {
			snprintf(err, errlen, "'%.*s' is not key=value", (int)len, p);
			return -1;
		}
		klen = (size_t)(eq - p);
		for (i = 0; i < nspec; i++) {
			if (strlen(spec[i].key) == klen && !strncmp(spec[i].key, p, klen)) {
				if (as_param_set_(&spec[i], eq + 1, len - klen - 1, out, err,
				                  errlen) != 0)
					return -1;
				found = 1;
				break;
			}
		}
		if (!found) {
			/* a very long key is cut: the known keys must still fit */
			int w = snprintf(err, errlen, "unknown key '%.*s%s' (known:",
			                 (int)(klen > 64 ? 64 : klen), p, klen > 64 ? "..." : "");
			for (i = 0; i < nspec && w > 0 && (size_t)w < errlen; i++)
				w += snprintf(err + w, errlen - (size_t)w, " %s", spec[i].key);
			if (w > 0 && (size_t)w < errlen)
				snprintf(err + w, errlen - (size_t)w, ")");
			return -1;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

#ifdef __cplusplus
}
#endif
#endif /* ALLOCSCOPE_PARAMS_H */
