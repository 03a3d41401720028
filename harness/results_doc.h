/* results_doc.h - what every file of a results folder and every column
 * means, written from the schema tables (tables.h, status.h) that the
 * writers use: `allocscope help results` and the allocscope-results(5) man
 * page. results/README.md says the same at length (a test keeps its column
 * list in step with the tables). */
#ifndef AS_RESULTS_DOC_H
#define AS_RESULTS_DOC_H

#include <stdio.h>

/* Plain text for a terminal (man == 0) or a man(7) page body (man != 0). */
void as_results_doc(FILE *f, int man);

#endif /* AS_RESULTS_DOC_H */
