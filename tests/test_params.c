/* test_params.c - the params grammar shared by modules and workloads:
 * defaults, every type, suffixes, ranges, and the one-line errors; the
 * grammar's version and the v1 entry size it is frozen at. */
#include <stddef.h>
#include <string.h>

#include "../allocators/allocscope_params.h"
#include "check.h"

typedef struct {
	uint64_t n;
	uint64_t sz;
	double d;
	int b;
	int e;
	char s[AS_PARAM_STR_MAX];
} p_t;

static const as_param_spec_t spec[] = {
    {"n", AS_PARAM_U64, "5", 1, 100, NULL, "", offsetof(p_t, n)},
    {"sz", AS_PARAM_SIZE, "4k", 0, 0, NULL, "", offsetof(p_t, sz)},
    {"d", AS_PARAM_DOUBLE, "0.5", 0, 1, NULL, "", offsetof(p_t, d)},
    {"b", AS_PARAM_BOOL, "no", 0, 0, NULL, "", offsetof(p_t, b)},
    {"e", AS_PARAM_ENUM, "fifo", 0, 0, "lifo|fifo|random", "", offsetof(p_t, e)},
    {"s", AS_PARAM_STR, "", 0, 0, NULL, "", offsetof(p_t, s)},
};
#define N (sizeof(spec) / sizeof(spec[0]))

int main(void)
{
	p_t p;
	char err[256];

	CHECK(as_params_parse(spec, N, NULL, &p, err, sizeof(err)) == 0);
	CHECK(p.n == 5 && p.sz == 4096 && p.d == 0.5 && p.b == 0 && p.e == 1 && p.s[0] == 0);

	CHECK(as_params_parse(spec, N, "n=7,sz=2M,d=0.25,b=true,e=random,s=a/b.txt", &p, err,
	                      sizeof(err)) == 0);
	CHECK(p.n == 7 && p.sz == 2u << 20 && p.d == 0.25 && p.b == 1 && p.e == 2);
	CHECK(!strcmp(p.s, "a/b.txt"));
	CHECK(as_params_parse(spec, N, "sz=1g", &p, err, sizeof(err)) == 0 && p.sz == 1u << 30);
	CHECK(as_params_parse(spec, N, "n=0x10", &p, err, sizeof(err)) == 0 && p.n == 16);

	CHECK(as_params_parse(spec, N, "n=101", &p, err, sizeof(err)) != 0);
	CHECK(strstr(err, "'n'") && strstr(err, "out of range"));
	CHECK(as_params_parse(spec, N, "n=-1", &p, err, sizeof(err)) != 0);
	CHECK(as_params_parse(spec, N, "n=12x", &p, err, sizeof(err)) != 0);
	CHECK(strstr(err, "not a valid"));
	CHECK(as_params_parse(spec, N, "sz=4q", &p, err, sizeof(err)) != 0);
	CHECK(as_params_parse(spec, N, "d=nan", &p, err, sizeof(err)) != 0);
	CHECK(as_params_parse(spec, N, "b=maybe", &p, err, sizeof(err)) != 0);
	CHECK(as_params_parse(spec, N, "e=lif", &p, err, sizeof(err)) != 0);
	CHECK(strstr(err, "lifo|fifo|random"));
	CHECK(as_params_parse(spec, N, "zz=1", &p, err, sizeof(err)) != 0);
	CHECK(strstr(err, "unknown key 'zz'") && strstr(err, " sz"));
	CHECK(as_params_parse(spec, N, "n", &p, err, sizeof(err)) != 0);
	CHECK(strstr(err, "not key=value"));
	CHECK(as_params_parse(spec, N, "n=,", &p, err, sizeof(err)) != 0);
	CHECK(as_params_parse(spec, N, "sz=99999999999999999999", &p, err, sizeof(err)) != 0);
	CHECK(as_params_parse(spec, N, "sz=17179869184g", &p, err, sizeof(err)) != 0);
	/* empty items are tolerated, the last value wins */
	CHECK(as_params_parse(spec, N, ",n=3,,n=4,", &p, err, sizeof(err)) == 0 && p.n == 4);
	/* no spec: any key is unknown, empty is fine */
	CHECK(as_params_parse(NULL, 0, "", NULL, err, sizeof(err)) == 0);
	CHECK(as_params_parse(NULL, 0, "x=1", NULL, err, sizeof(err)) != 0);

	/* one value through the public single-value call, same rules and errors */
	CHECK(as_param_parse_value(&spec[1], "128k", &p, err, sizeof(err)) == 0 &&
	      p.sz == 128u << 10);
	CHECK(as_param_parse_value(&spec[0], "0", &p, err, sizeof(err)) != 0);
	CHECK(strstr(err, "'n'") && strstr(err, "out of range"));
	CHECK(as_param_parse_value(&spec[0], "010", &p, err, sizeof(err)) == 0 && p.n == 8);

	/* version 3: an empty numeric/boolean default is "unset" (a sentinel no
	 * user value reaches); given values parse as before */
	{
		typedef struct {
			uint64_t u;
			double d;
			int b;
		} u_t;
		static const as_param_spec_t us[] = {
		    {"u", AS_PARAM_SIZE, "", 0, 1 << 20, NULL, "", offsetof(u_t, u)},
		    {"d", AS_PARAM_DOUBLE, "", 0, 10, NULL, "", offsetof(u_t, d)},
		    {"b", AS_PARAM_BOOL, NULL, 0, 0, NULL, "", offsetof(u_t, b)},
		};
		u_t u;
		CHECK(as_params_parse(us, 3, "", &u, err, sizeof(err)) == 0);
		CHECK(u.u == AS_PARAM_UNSET_U64 && AS_PARAM_IS_UNSET_DBL(u.d) &&
		      u.b == AS_PARAM_UNSET_BOOL);
		CHECK(as_params_parse(us, 3, "u=4k,d=0,b=0", &u, err, sizeof(err)) == 0);
		CHECK(u.u == 4096 && u.d == 0 && u.b == 0);
		CHECK(as_params_parse(us, 3, "u=", &u, err, sizeof(err)) != 0); /* not unset */
		CHECK(as_params_parse(us, 3, "u=2M", &u, err, sizeof(err)) != 0);
	}

	/* version 2 added AS_PARAM_PATH at the end, version 3 unset defaults; a
	 * change to the spec layout or the grammar must bump these on purpose
	 * (see the ABI rules in allocscope_params.h) */
	CHECK(AS_PARAMS_VERSION == 3);
	CHECK(AS_PARAM_PATH == 7 && AS_PARAM_PATH_MAX == 4096);
	CHECK(AS_PARAM_SPEC_SIZE_V1 == sizeof(as_param_spec_t));
	CHECK(offsetof(as_param_spec_t, key) == 0 &&
	      offsetof(as_param_spec_t, offset) == AS_PARAM_SPEC_SIZE_V1 - sizeof(size_t));
	CHECK(AS_PARAM_STR == 6 && AS_PARAM_STR_MAX == 256);
	{
		/* PATH takes what STR refuses: longer than 255 bytes, ',' and ':' kept */
		typedef struct {
			char path[AS_PARAM_PATH_MAX];
		} path_params_t;
		static path_params_t q;
		static const as_param_spec_t ps = {
		    "file", AS_PARAM_PATH, "", 0, 0, NULL, "", offsetof(path_params_t, path)};
		char longv[1200];
		memset(longv, 'a', sizeof(longv) - 1);
		longv[sizeof(longv) - 1] = '\0';
		longv[5] = ',';
		longv[9] = ':';
		CHECK(as_param_parse_value(&ps, longv, &q, err, sizeof(err)) == 0 &&
		      !strcmp(q.path, longv));
	}
	return as_check_done();
}
