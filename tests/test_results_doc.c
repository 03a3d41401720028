/* test_results_doc.c - every column of every results CSV (the X-macro tables
 * in tables.h, and the summary's generated METRIC_STAT names) and every
 * JSON key that is not a column (AS_JSON_KEYS in json.h) is documented
 * in results/README.md, so the schema and its documentation cannot drift;
 * and which rows comparisons.csv has. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"
#include "tables.h"
#include "tune.h"

static char *doc;

static void expect(const char *col)
{
	char pat[160];
	/* documented as `name` in a table row */
	snprintf(pat, sizeof(pat), "`%s`", col);
	CHECKF(strstr(doc, pat) != NULL, "column %s is not documented in results/README.md", col);
}

int main(void)
{
	char path[4096];
	const char *src = getenv("ALLOCSCOPE_SOURCE");
	FILE *f;
	long n;
	static const char *const stats[] = {"median", "min", "max", "ci95_low", "ci95_high"};

	snprintf(path, sizeof(path), "%s/results/README.md", src ? src : ".");
	f = fopen(path, "r");
	CHECKF(f != NULL, "cannot open %s", path);
	if (!f)
		return as_check_done();
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	doc = calloc(1, (size_t)n + 1);
	if (fread(doc, 1, (size_t)n, f) != (size_t)n)
		CHECK(!"read README");
	fclose(f);

#define E(name, fmt, doc) expect(#name);
	AS_TRIAL_KEY_COLS(E)
	AS_TRIAL_COLS(E)
	AS_ROW_KEY_COLS(E)
	AS_SERIES_COLS(E)
	AS_LATENCY_COLS(E)
	AS_HIST_COLS(E)
	AS_SUMMARY_KEY_COLS(E)
	AS_HEADLINE_COLS(E)
	AS_TUNE_COLS(E)
	AS_VERIFY_COLS(E)
#undef E
#define E(name, fmt, doc)                                         \
	for (int s = 0; s < 5; s++) {                             \
		char c[96];                                       \
		snprintf(c, sizeof(c), "%s_%s", #name, stats[s]); \
		expect(c);                                        \
	}
	AS_SUMMARY_METRICS(E)
#undef E
	/* which rows comparisons.csv has: as_comparisons_each leaves out the
	 * baseline and null, and the docs said "module other than the
	 * baseline" until session 21 */
	CHECKF(strstr(doc, "module other than the baseline and `null`") != NULL,
	       "results/README.md: comparisons.csv rows do not say null is left out");
	/* summary.json's and compare --json's own keys */
#define E(name, doc) expect(#name);
	AS_JSON_KEYS(E)
#undef E
	free(doc);
	return as_check_done();
}
