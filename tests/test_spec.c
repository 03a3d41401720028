/* test_spec.c - the one spec parser (workloads/spec.c) and the parent <->
 * worker wire (harness/trial_wire.c): a spec parsed once keeps paths with
 * ':' and values with ',' whole, a trial spec survives the memfd round trip
 * field by field, worker messages decode into a result, and a replay of a
 * trace whose path holds ',' and ':' runs end to end through the CLI. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../workloads/shell_word.h"
#include "../workloads/spec.h"
#include "../workloads/workload.h"
#include "check.h"
#include "tables.h"
#include "trial.h"
#include "trial_wire.h"

static void parse_cases(void)
{
	as_spec_t s, list[8];
	char err[256];
	int n;

	CHECK(as_spec_parse("refmalloc:mmap_threshold=64k,trim=1", AS_SPEC_MODULE, &s, err,
	                    sizeof(err)) == 0);
	CHECK(!strcmp(s.name, "refmalloc") && !strcmp(s.params, "mmap_threshold=64k,trim=1"));
	CHECK(s.nkv == 2 && !strcmp(s.kv[1].key, "trim") && !strcmp(s.kv[1].value, "1"));
	CHECK(!strcmp(s.label, "refmalloc:mmap_threshold=64k,trim=1"));
	CHECK(as_spec_get(&s, "mmap_threshold") && !as_spec_get(&s, "nope"));
	as_spec_free(&s);

	/* a module path may hold ':' before its last '/' */
	CHECK(as_spec_parse("./a:b/x.so:k=v", AS_SPEC_MODULE, &s, err, sizeof(err)) == 0);
	CHECKF(!strcmp(s.name, "./a:b/x.so") && !strcmp(s.params, "k=v"), "%s|%s", s.name,
	       s.params);
	as_spec_free(&s);

	/* a workload's bare first value is its first param (key "") */
	CHECK(as_spec_parse("trace:run.ast,serialize=1", AS_SPEC_WORKLOAD, &s, err, sizeof(err)) ==
	      0);
	CHECK(s.nkv == 2 && !strcmp(s.kv[0].key, "") && !strcmp(s.kv[0].value, "run.ast"));
	as_spec_free(&s);

	/* refusals name the text */
	CHECK(as_spec_parse("", AS_SPEC_MODULE, &s, err, sizeof(err)) != 0);
	CHECK(as_spec_parse(":a=1", AS_SPEC_MODULE, &s, err, sizeof(err)) != 0);
	CHECK(as_spec_parse("glibc:novalue", AS_SPEC_MODULE, &s, err, sizeof(err)) != 0 &&
	      strstr(err, "novalue"));
	CHECK(as_spec_parse("random:a=1,,b=2", AS_SPEC_WORKLOAD, &s, err, sizeof(err)) != 0);

	/* lists: an item with '=' and no ':' continues the previous spec */
	n = as_spec_parse_list("refmalloc:a=1,b=2, glibc ,random:x=1", AS_SPEC_MODULE, list, 8, err,
	                       sizeof(err));
	CHECKF(n == 3, "n=%d %s", n, err);
	if (n == 3) {
		CHECK(!strcmp(list[0].params, "a=1,b=2") && !strcmp(list[1].name, "glibc"));
		CHECK(!strcmp(list[2].label, "random:x=1"));
		for (int i = 0; i < n; i++)
			as_spec_free(&list[i]);
	}
	CHECK(as_spec_parse_list("a=1,glibc", AS_SPEC_MODULE, list, 8, err, sizeof(err)) < 0);
	CHECK(as_spec_parse_list("glibc,,null", AS_SPEC_MODULE, list, 8, err, sizeof(err)) < 0);
	CHECK(as_spec_parse_list("a,b,c", AS_SPEC_MODULE, list, 2, err, sizeof(err)) < 0);
}

static void workload_from_pairs(void)
{
	static char pbuf[AS_WL_PARAMS_MAX];
	const as_workload_t *wl;
	char err[512];
	const char *k1[] = {"ops", "nosuch"}, *v1[] = {"1000", "1"};
	CHECK(as_workload_configure("random", k1, v1, 1, &wl, pbuf, sizeof(pbuf), err,
	                            sizeof(err)) == 0);
	CHECK(as_workload_configure("random", k1, v1, 2, &wl, pbuf, sizeof(pbuf), err,
	                            sizeof(err)) != 0 &&
	      strstr(err, "unknown key 'nosuch'"));
	CHECK(as_workload_configure("nosuch", k1, v1, 0, &wl, pbuf, sizeof(pbuf), err,
	                            sizeof(err)) != 0);
	/* the string convenience goes through the same parser */
	CHECK(as_workload_parse("random:ops=1000", &wl, pbuf, sizeof(pbuf), err, sizeof(err)) == 0);
}

/* Bad specs (review 2026-12): a key given twice and a key without its value
 * are refused naming that key, for modules and workloads alike, and quoted
 * text is shown on one line a terminal shows as it is. */
static void bad_specs(void)
{
	static char pbuf[AS_WL_PARAMS_MAX];
	const as_workload_t *wl;
	char err[512], buf[AS_SHOW_MAX], big[400];
	as_spec_t s;
	const char *shown;

	CHECK(as_spec_parse("random:ops=10,ops=20", AS_SPEC_WORKLOAD, &s, err, sizeof(err)) != 0 &&
	      strstr(err, "key 'ops' given twice"));
	CHECK(as_spec_parse("glibc:mmap_threshold=1M,mmap_threshold=2M", AS_SPEC_MODULE, &s, err,
	                    sizeof(err)) != 0 &&
	      strstr(err, "key 'mmap_threshold' given twice"));
	CHECKF(as_spec_parse("glibc:mmap_threshold", AS_SPEC_MODULE, &s, err, sizeof(err)) != 0 &&
	           strstr(err, "key 'mmap_threshold' has no '=value'"),
	       "%s", err);
	CHECKF(as_workload_parse("random:ops=10,ops=20", &wl, pbuf, sizeof(pbuf), err,
	                         sizeof(err)) != 0 &&
	           strstr(err, "key 'ops' given twice"),
	       "%s", err);
	/* "random:ops" names a key, not a value of the first key (min) */
	CHECKF(as_workload_parse("random:ops", &wl, pbuf, sizeof(pbuf), err, sizeof(err)) != 0 &&
	           strstr(err, "key 'ops' has no '=value'") && !strstr(err, "'min'"),
	       "%s", err);
	CHECKF(as_workload_parse("random:ops=10,live", &wl, pbuf, sizeof(pbuf), err, sizeof(err)) !=
	               0 &&
	           strstr(err, "key 'live' has no '=value'"),
	       "%s", err);
	/* the first key by its bare value and by its name: twice */
	CHECKF(as_workload_parse("trace:a.ast,file=b.ast", &wl, pbuf, sizeof(pbuf), err,
	                         sizeof(err)) != 0 &&
	           strstr(err, "key 'file' given twice"),
	       "%s", err);
	CHECKF(as_workload_parse("random:16,ops=10", &wl, pbuf, sizeof(pbuf), err, sizeof(err)) ==
	           0,
	       "%s", err);
	/* a size key the chosen dist does not read is refused, not ignored:
	 * "sigma=3" with dist=uniform would measure another run than the one
	 * the label names */
	{
		static const struct {
			const char *spec, *key;
		} unread[] = {
		    {"synth:dist=uniform,sigma=3", "sigma"},
		    {"synth:dist=fixed,size=64,max=4096", "max"},
		    {"synth:dist=lognormal,alpha=1.5", "alpha"},
		    {"synth:dist=power,size=100", "size"},
		    {"xmalloc:min=8", "min"}, /* its default dist is fixed */
		    {"larson:dist=uniform,size=32", "size"},
		};
		for (size_t i = 0; i < sizeof(unread) / sizeof(unread[0]); i++) {
			char want[64];
			snprintf(want, sizeof(want), "key '%s': dist=", unread[i].key);
			CHECKF(as_workload_parse(unread[i].spec, &wl, pbuf, sizeof(pbuf), err,
			                         sizeof(err)) != 0 &&
			           strstr(err, want) && strstr(err, "does not read it"),
			       "%s: %s", unread[i].spec, err);
		}
		/* what each dist reads is taken */
		static const char *const read_ok[] = {
		    "synth:dist=fixed,size=100",
		    "synth:dist=uniform,min=8,max=64",
		    "synth:dist=lognormal,size=100,min=8,max=4096,sigma=2",
		    "synth:dist=power,min=8,max=4096,alpha=1.5",
		    "benchmt:min=8",
		};
		for (size_t i = 0; i < sizeof(read_ok) / sizeof(read_ok[0]); i++)
			CHECKF(as_workload_parse(read_ok[i], &wl, pbuf, sizeof(pbuf), err,
			                         sizeof(err)) == 0,
			       "%s: %s", read_ok[i], err);
	}

	/* as_show: plain text as it is; control bytes and bytes that are no
	 * UTF-8 escaped; UTF-8 kept; long text cut around "..." on one line */
	CHECK(as_show("plain.ast", buf) != buf);
	shown = as_show("a\nb\tc\x1b[31m\xff"
	                "d\x7f",
	                buf);
	CHECKF(!strcmp(shown, "a\\nb\\tc\\x1b[31m\\xffd\\x7f"), "%s", shown);
	shown = as_show("caf\xc3\xa9", buf);
	CHECKF(!strcmp(shown, "caf\xc3\xa9"), "%s", shown);
	shown = as_show("\xc2\x9b"
	                "1m",
	                buf); /* C1 CSI, as UTF-8 */
	CHECKF(!strcmp(shown, "\\xc2\\x9b1m"), "%s", shown);
	memset(big, '\n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "START", 5);
	memcpy(big + sizeof(big) - 5, "END.", 4);
	shown = as_show(big, buf);
	CHECKF(strlen(shown) < AS_SHOW_MAX && !strchr(shown, '\n') &&
	           !strncmp(shown, "START\\n", 7) && strstr(shown, "...") &&
	           !strcmp(shown + strlen(shown) - 6, "\\nEND."),
	       "%s", shown);
}

static void wire_spec_roundtrip(void)
{
	as_spec_t mod, wl;
	as_trial_spec_t t;
	as_wire_trial_t got;
	const char *k[] = {"file"}, *v[] = {"/tmp/a,b:c/trace.ast"};
	char err[256];
	int fd;

	CHECK(as_spec_parse("refmalloc:mmap_threshold=64k", AS_SPEC_MODULE, &mod, err,
	                    sizeof(err)) == 0);
	CHECK(as_spec_make("trace", k, v, 1, &wl) == 0);
	memset(&t, 0, sizeof(t));
	t.module = &mod;
	t.workload = &wl;
	t.threads = 3;
	t.seed = 0xfeedfacecafebeefULL;
	t.trial = 7;
	t.rep = 2;
	t.timeout_s = 12.5;
	t.validate = 1;
	t.sample_every = AS_SAMPLE_AUTO;
	t.sample_interval_ms = 9;
	t.latency_every = 16;
	t.syscalls = 1;
	t.pin = 2;
	t.ns_per_tick = 0.3125;
	fd = as_wire_spec_memfd(&t, err, sizeof(err));
	CHECK(fd >= 0);
	CHECK(dup2(fd, AS_WIRE_FD_SPEC) == AS_WIRE_FD_SPEC);
	CHECKF(as_wire_spec_read(&got, err, sizeof(err)) == 0, "%s", err);
	CHECK(got.spec.threads == 3 && got.spec.seed == t.seed && got.spec.trial == 7 &&
	      got.spec.rep == 2 && got.spec.timeout_s == 12.5 && got.spec.validate == 1 &&
	      got.spec.sample_every == AS_SAMPLE_AUTO && got.spec.sample_interval_ms == 9 &&
	      got.spec.latency_every == 16 && got.spec.syscalls == 1 && got.spec.pin == 2 &&
	      got.spec.ns_per_tick == 0.3125);
	CHECK(got.spec.module && !strcmp(got.spec.module->name, "refmalloc") &&
	      !strcmp(got.spec.module->params, "mmap_threshold=64k") && got.spec.module->nkv == 1);
	CHECK(got.spec.workload && got.spec.workload->nkv == 1 &&
	      !strcmp(got.spec.workload->kv[0].value, "/tmp/a,b:c/trace.ast"));
	as_wire_trial_free(&got);

	/* a stale or damaged record is refused, not misread */
	CHECK(ftruncate(fd, 20) == 0 && lseek(fd, 0, SEEK_SET) == 0);
	CHECK(dup2(fd, AS_WIRE_FD_SPEC) == AS_WIRE_FD_SPEC);
	CHECK(as_wire_spec_read(&got, err, sizeof(err)) != 0);
	close(fd);
	close(AS_WIRE_FD_SPEC);
	as_spec_free(&mod);
	as_spec_free(&wl);
}

static void wire_messages(void)
{
	int p[2];
	double row[AS_SERIES_NCOLS], v[AS_TRIAL_NCOLS];
	as_trial_result_t res;
	as_wire_inbox_t in = {0};
	long n;

	CHECK(pipe(p) == 0);
	for (int i = 0; i < AS_SERIES_NCOLS; i++)
		row[i] = i;
	for (int i = 0; i < AS_TRIAL_NCOLS; i++)
		v[i] = 100 + i;
	CHECK(as_wire_send_info(p[1], "module_version", "5.3.0") == 0);
	CHECK(as_wire_send_info(p[1], "binding.0", "1") == 0);
	CHECK(as_wire_send(p[1], AS_MSG_SERIES, row, sizeof(row)) == 0);
	CHECK(as_wire_send(p[1], AS_MSG_SERIES, row, sizeof(row)) == 0);
	CHECK(as_wire_send(p[1], AS_MSG_TRIAL, v, sizeof(v)) == 0);
	CHECK(as_wire_send_status(p[1], AS_ERR_FIDELITY, "live bytes differ") == 0);
	close(p[1]);
	memset(&res, 0, sizeof(res));
	while ((n = as_wire_inbox_read(&in, p[0], &res)) > 0)
		;
	CHECK(n == 0 && in.got_status && in.got_trial);
	CHECK(res.status == AS_ERR_FIDELITY && !strcmp(res.reason, "live bytes differ"));
	CHECK(!strcmp(res.module_version, "5.3.0") && !strcmp(res.bindings, "0:1"));
	CHECK(res.series.n == 2 && res.series.v[AS_SERIES_NCOLS + 3] == 3);
	CHECK(res.v[AS_TC_ops] == 100);
	as_trial_result_free(&res);
	as_wire_inbox_free(&in);
	close(p[0]);
}

static int sh(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* capture a real program into a folder whose name holds ',' and ':', then
 * replay it: the path travels as a value, never split */
static void replay_odd_path(void)
{
	const char *cli = getenv("ALLOCSCOPE");
	char dir[] = "/tmp/as-spec-XXXXXX", cmd[4 * PATH_MAX], odd[PATH_MAX];
	if (!cli || !mkdtemp(dir)) {
		CHECKF(0, "ALLOCSCOPE unset or no temp folder");
		return;
	}
	/* longer than the 255 bytes a STR param holds: a PATH param takes it */
	snprintf(odd, sizeof(odd), "%s/a,b:c", dir);
	CHECK(mkdir(odd, 0755) == 0);
	snprintf(odd + strlen(odd), sizeof(odd) - strlen(odd), "/%0200d", 0);
	CHECK(mkdir(odd, 0755) == 0);
	snprintf(odd + strlen(odd), sizeof(odd) - strlen(odd), "/%0100d", 1);
	CHECK(mkdir(odd, 0755) == 0 && strlen(odd) > 300);
	snprintf(cmd, sizeof(cmd), "'%s' capture -o '%s/t.ast' -- /bin/ls / >/dev/null 2>&1", cli,
	         odd);
	CHECK(sh(cmd) == 0);
	snprintf(cmd, sizeof(cmd),
	         "'%s' replay '%s/t.ast' -a glibc -q --no-plot --min-time 0 -o '%s/out'", cli, odd,
	         dir);
	CHECKF(sh(cmd) == 0, "%s", cmd);
	snprintf(cmd, sizeof(cmd), "grep -q ',trace,\"file=%s/t.ast\",1,' '%s/out/trials.csv'", odd,
	         dir);
	CHECKF(sh(cmd) == 0, "trials.csv lacks the path as workload_params");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	sh(cmd);
}

/* as_shell_word_to: the word whole, or cut to the buffer with its whole
 * length returned (as snprintf); as_path_err on top of it. */
static void shell_words(void)
{
	char w[64], err[32];
	CHECK(as_shell_word_to(w, sizeof(w), "a/b.ast") == 7 && !strcmp(w, "a/b.ast"));
	CHECK(as_shell_word_to(w, sizeof(w), "") == 2 && !strcmp(w, "''"));
	CHECK(as_shell_word_to(w, sizeof(w), "it's x") == 11 && !strcmp(w, "'it'\\''s x'"));
	CHECK(as_shell_word_to(w, sizeof(w), "a b\nc\x1b") == 13 && !strcmp(w, "$'a b\\nc\\x1b'"));
	CHECK(as_shell_word_to(w, 5, "a b\nc") == 9 && !strcmp(w, "$'a "));
	CHECK(as_shell_word_to(NULL, 0, "a\tb") == 7);
	as_path_err(err, sizeof(err), "a\nb", "gone: %d", 2);
	CHECK(!strcmp(err, "$'a\\nb': gone: 2"));
	as_path_err(err, 8, "a\nb", "gone");
	CHECK(!strcmp(err, "$'a\\nb'"));
}

int main(void)
{
	parse_cases();
	workload_from_pairs();
	bad_specs();
	wire_spec_roundtrip();
	wire_messages();
	replay_odd_path();
	shell_words();
	return as_check_done();
}
