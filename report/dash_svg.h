/*
 * dash_svg.h - the dashboard's charts as inline SVG (pure: text appended
 * to a buffer; no script, colours from style.css classes)
 */
#ifndef AUTHMILTER_DASH_SVG_H
#define AUTHMILTER_DASH_SVG_H

#include "dash.h"

/* one line of a pass-rate chart */
struct dash_svg_series {
	const char *name;		/* peer text: escaped when written */
	const struct dash_day *days;
	size_t	ndays;
};

/*
 * dash_svg_rate_path - the path data ("M x,y L x,y ...") of the DMARC pass
 * rate of days within [first, last] in a w x h box: x by date (first at 0,
 * last at w), y = h at 0% and 0 at 100%; days without messages are left
 * out (the line joins their neighbours); one decimal per coordinate.
 * Nothing is appended when no day has messages.
 */
void	dash_svg_rate_path(struct buf *out, const struct dash_day *days, size_t n,
	    time_t first, time_t last, int w, int h);
/* dash_svg_rate_chart - an <svg> of one line per series over [first, last],
 * a point per day with its rate in a <title>, a 0-100% axis, a legend */
void	dash_svg_rate_chart(struct buf *out, const struct dash_svg_series *s, size_t ns,
	    time_t first, time_t last);
/* dash_svg_volume_chart - an <svg> of one stacked bar per day in [first,
 * last]: messages by disposition (none, quarantine, reject) */
void	dash_svg_volume_chart(struct buf *out, const struct dash_day *days, size_t n,
	    time_t first, time_t last);
/* dash_svg_group_bars - an <svg> of one horizontal bar per group (the
 * first n): its messages on a scale of the largest, the DMARC-passing
 * part in its own colour, the label (dash_group_label, escaped) at left,
 * the count and pass rate at right, the figures in a <title> */
void	dash_svg_group_bars(struct buf *out, const struct dash_group *g, size_t n, int by_asn);
/* dash_svg_date - "YYYY-MM-DD" (UTC) of t appended to out */
void	dash_svg_date(struct buf *out, time_t t);

#endif
