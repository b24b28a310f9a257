/*
 * dash_html.h - the dashboard's pages and style sheet as text (pure:
 * appended to a buffer; dash_write in dash.c writes the files)
 *
 * Every peer string goes through dash_html_escape; no page has a script,
 * and the only resource a page loads is style.css beside it.
 */
#ifndef AUTHMILTER_DASH_HTML_H
#define AUTHMILTER_DASH_HTML_H

#include "dash.h"

/* dash_html_css - style.css */
void	dash_html_css(struct buf *out);
/* dash_html_page_name - the file name of domain i's page: "domain-I-NAME.html"
 * with NAME's bytes outside [a-z0-9.-] as '_' (safe in a path and a URL) */
void	dash_html_page_name(struct buf *out, const struct dash_data *d, size_t i);
/* dash_html_index - index.html: a card per domain, the pass-rate chart */
void	dash_html_index(struct buf *out, const struct dash_data *d);
/* dash_html_domain - domain i's page */
void	dash_html_domain(struct buf *out, const struct dash_data *d, size_t i);
/* dash_html_failures - failures.html */
void	dash_html_failures(struct buf *out, const struct dash_data *d);

#endif
