/* spec.c - see spec.h. The only place that splits NAME[:k=v,...]. */
#define _GNU_SOURCE
#include "spec.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void as_spec_free(as_spec_t *s)
{
	for (size_t i = 0; i < s->nkv; i++) {
		free(s->kv[i].key);
		free(s->kv[i].value);
	}
	free(s->kv);
	free(s->name);
	free(s->params);
	free(s->label);
	memset(s, 0, sizeof(*s));
}

static int add_kv(as_spec_t *s, const char *k, size_t klen, const char *v, size_t vlen)
{
	as_kv_t *nkv = realloc(s->kv, (s->nkv + 1) * sizeof(*nkv));
	if (!nkv)
		return -1;
	s->kv = nkv;
	nkv[s->nkv].key = strndup(k, klen);
	nkv[s->nkv].value = strndup(v, vlen);
	s->nkv++;
	return nkv[s->nkv - 1].key && nkv[s->nkv - 1].value ? 0 : -1;
}

/* 1 when the spec already holds key k (klen bytes), else 0 */
static int has_key(const as_spec_t *s, const char *k, size_t klen)
{
	for (size_t i = 0; i < s->nkv; i++)
		if (strlen(s->kv[i].key) == klen && !memcmp(s->kv[i].key, k, klen))
			return 1;
	return 0;
}

/* label = name, or name:params */
static int set_label(as_spec_t *s)
{
	if (!s->params || !s->name)
		return -1;
	if (!*s->params)
		s->label = strdup(s->name);
	else if (asprintf(&s->label, "%s:%s", s->name, s->params) < 0)
		s->label = NULL;
	return s->label ? 0 : -1;
}

int as_spec_parse(const char *text, as_spec_kind_t kind, as_spec_t *out, char *err, size_t errlen)
{
	const char *slash = kind == AS_SPEC_MODULE ? strrchr(text, '/') : NULL;
	const char *colon = strchr(slash ? slash : text, ':');
	size_t nlen = colon ? (size_t)(colon - text) : strlen(text);
	const char *p = colon ? colon + 1 : "";

	char shown[AS_SHOW_MAX], ps[AS_SHOW_MAX];
	memset(out, 0, sizeof(*out));
	if (nlen == 0) {
		snprintf(err, errlen, "'%s': empty name", as_show(text, shown));
		return -1;
	}
	out->name = strndup(text, nlen);
	out->params = strdup(p);
	if (!out->name || !out->params)
		goto out_oom;
	while (*p) {
		size_t len = strcspn(p, ",");
		const char *eq = memchr(p, '=', len);
		if (len == 0) {
			snprintf(err, errlen, "'%s': empty param", as_show(text, shown));
			goto out_fail;
		}
		if (!eq && !(kind == AS_SPEC_WORKLOAD && out->nkv == 0)) {
			char *item = strndup(p, len);
			snprintf(err, errlen, "'%s': key '%s' has no '=value'",
			         as_show(text, shown), item ? as_show(item, ps) : "?");
			free(item);
			goto out_fail;
		}
		if (eq && has_key(out, p, (size_t)(eq - p))) {
			char *key = strndup(p, (size_t)(eq - p));
			snprintf(err, errlen, "'%s': key '%s' given twice", as_show(text, shown),
			         key ? as_show(key, ps) : "?");
			free(key);
			goto out_fail;
		}
		if (eq ? add_kv(out, p, (size_t)(eq - p), eq + 1, len - (size_t)(eq - p) - 1)
		       : add_kv(out, "", 0, p, len))
			goto out_oom;
		p += len;
		if (*p == ',')
			p++;
	}
	if (set_label(out) == 0)
		return 0;
out_oom:
	snprintf(err, errlen, "'%s': out of memory", as_show(text, shown));
out_fail:
	as_spec_free(out);
	return -1;
}

int as_spec_make(const char *name, const char *const *keys, const char *const *values, size_t n,
                 as_spec_t *out)
{
	size_t len = 1;
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		len += strlen(keys[i]) + strlen(values[i]) + 2;
	out->name = strdup(name);
	out->params = calloc(1, len);
	if (!out->name || !out->params)
		goto out_oom;
	for (size_t i = 0; i < n; i++) {
		if (add_kv(out, keys[i], strlen(keys[i]), values[i], strlen(values[i])))
			goto out_oom;
		if (i)
			strcat(out->params, ",");
		strcat(strcat(strcat(out->params, keys[i]), "="), values[i]);
	}
	if (set_label(out) == 0)
		return 0;
out_oom:
	as_spec_free(out);
	return -1;
}

int as_spec_copy(const as_spec_t *src, as_spec_t *out)
{
	memset(out, 0, sizeof(*out));
	out->name = strdup(src->name);
	out->params = strdup(src->params);
	out->label = strdup(src->label);
	if (!out->name || !out->params || !out->label)
		goto out_oom;
	for (size_t i = 0; i < src->nkv; i++)
		if (add_kv(out, src->kv[i].key, strlen(src->kv[i].key), src->kv[i].value,
		           strlen(src->kv[i].value)))
			goto out_oom;
	return 0;
out_oom:
	as_spec_free(out);
	return -1;
}

int as_spec_given_twice(const as_spec_t *specs, int n, char *err, size_t errlen)
{
	char shown[AS_SHOW_MAX];
	for (int i = 0; i < n; i++)
		for (int j = 0; j < i; j++)
			if (!strcmp(specs[i].label, specs[j].label)) {
				snprintf(err, errlen, "'%s' is given twice",
				         as_show(specs[i].label, shown));
				return 1;
			}
	return 0;
}

int as_spec_parse_list(const char *list, as_spec_kind_t kind, as_spec_t *out, int max, char *err,
                       size_t errlen)
{
	char *tmp = strdup(list), *p = tmp, *item = NULL;
	char shown[AS_SHOW_MAX], is[AS_SHOW_MAX];
	int n = 0;
	size_t cap = strlen(list) + 1;
	char *cur = calloc(1, cap);

	if (!tmp || !cur) {
		snprintf(err, errlen, "'%s': out of memory", as_show(list, shown));
		goto out_fail;
	}
	/* join items that continue a spec's params, then parse each spec */
	for (;;) {
		size_t len = strcspn(p, ",");
		char *end = p + len;
		int last = *end == '\0';
		*end = '\0';
		item = p;
		while (*item == ' ')
			item++;
		for (char *e = item + strlen(item); e > item && e[-1] == ' ';)
			*--e = '\0';
		if (!*item) {
			snprintf(err, errlen, "'%s': empty item in the list", as_show(list, shown));
			goto out_fail;
		}
		if (strchr(item, '=') && !strchr(item, ':')) {
			if (!*cur) {
				snprintf(err, errlen, "'%s': '%s' belongs to no spec",
				         as_show(list, shown), as_show(item, is));
				goto out_fail;
			}
			strcat(cur, ",");
			strcat(cur, item);
		} else {
			if (*cur) {
				if (n >= max) {
					snprintf(err, errlen, "'%s': more than %d items",
					         as_show(list, shown), max);
					goto out_fail;
				}
				if (as_spec_parse(cur, kind, &out[n], err, errlen))
					goto out_fail;
				n++;
			}
			strcpy(cur, item);
		}
		if (last)
			break;
		p = end + 1;
	}
	if (n >= max) {
		snprintf(err, errlen, "'%s': more than %d items", as_show(list, shown), max);
		goto out_fail;
	}
	if (as_spec_parse(cur, kind, &out[n], err, errlen))
		goto out_fail;
	n++;
	free(tmp);
	free(cur);
	return n;
out_fail:
	for (int i = 0; i < n; i++)
		as_spec_free(&out[i]);
	free(tmp);
	free(cur);
	return -1;
}

const char *as_spec_get(const as_spec_t *s, const char *key)
{
	for (size_t i = 0; i < s->nkv; i++)
		if (!strcmp(s->kv[i].key, key))
			return s->kv[i].value;
	return NULL;
}

/* Length of the UTF-8 sequence at s (n bytes left) when it is a valid
 * printable character of 2-4 bytes (not a C1 control U+0080..U+009F), else 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	uint32_t cp;
	if (s[0] < 0xc2 || s[0] > 0xf4 || n < len)
		return 0;
	cp = s[0] & (0x3f >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp < 0xa0)
		return 0;
	return len;
}

/* One unit of text at s: a printable byte or UTF-8 character (shown as it
 * is), or a byte shown escaped (\n, \r, \t, else \xNN). Sets *in to the
 * bytes it takes; returns the bytes it shows, written to out when out. */
static size_t show_unit(const unsigned char *s, size_t n, size_t *in, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t u = s[0] >= 0x80 ? utf8_len(s, n) : s[0] >= 0x20 && s[0] != 0x7f;
	if (u) {
		if (out)
			memcpy(out, s, u);
		*in = u;
		return u;
	}
	*in = 1;
	if (out) {
		out[0] = '\\';
		out[1] = s[0] == '\n' ? 'n' : s[0] == '\r' ? 'r' : s[0] == '\t' ? 't' : 'x';
		if (out[1] == 'x') {
			out[2] = hex[s[0] >> 4];
			out[3] = hex[s[0] & 15];
		}
	}
	return s[0] == '\n' || s[0] == '\r' || s[0] == '\t' ? 2 : 4;
}

const char *as_show(const char *text, char *buf)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text), half = (AS_SHOW_MAX - 4) / 2, shown = 0, in, o = 0, tail = 0;
	int plain = 1;

	for (size_t i = 0; i < n; i += in) {
		size_t w = show_unit(s + i, n - i, &in, NULL);
		plain &= w == in;
		shown += w;
	}
	if (plain && n < AS_SHOW_MAX)
		return text;
	/* the head, up to half the room (all of it when everything fits) */
	for (size_t i = 0; i < n; i += in) {
		size_t w = show_unit(s + i, n - i, &in, NULL);
		if (shown >= AS_SHOW_MAX ? o + w > half : 0)
			break;
		show_unit(s + i, n - i, &in, buf + o);
		o += w;
		tail = i + in;
	}
	if (shown >= AS_SHOW_MAX) {
		/* the tail: the last units that fit in half, found going forward
		 * (a UTF-8 character is not cut); the head never reaches it */
		size_t start = n, left = shown;
		for (size_t i = 0; i < n; i += in) {
			if (left <= half) {
				start = i;
				break;
			}
			left -= show_unit(s + i, n - i, &in, NULL);
		}
		if (start < tail)
			start = tail;
		memcpy(buf + o, "...", 3);
		o += 3;
		for (size_t i = start; i < n; i += in)
			o += show_unit(s + i, n - i, &in, buf + o);
	}
	buf[o] = '\0';
	return buf;
}
