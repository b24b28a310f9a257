/*
 * dash_svg.c - the dashboard's charts, inline SVG written in C: no script
 * and no external resource, so a page works from file:// and anywhere
 *
 * Geometry: a chart is a 660 x 250 viewBox; the plot is PW x PH at
 * (PX, PY), with the axis labels left of it and the dates below.
 * Colours are style.css classes (.s0 ... .s5 lines, .none .quar .rej
 * bars), so the charts follow the page's look.
 */
#include "config.h"

#include <string.h>

#include "dash_svg.h"

#define PX 44
#define PY 12
#define PW 600
#define PH 200
#define NCOLOURS 6

/* dash_svg_date - see dash_svg.h */
void
dash_svg_date(struct buf *out, time_t t)
{
	struct tm tm;
	char s[32];

	if (gmtime_r(&t, &tm) == NULL || strftime(s, sizeof(s), "%Y-%m-%d", &tm) == 0)
		strcpy(s, "?");
	buf_adds(out, s);
}

/* x_of - the x coordinate of day in a box w wide spanning [first, last] */
static double
x_of(time_t day, time_t first, time_t last, int w)
{
	if (last <= first)
		return 0;
	return (double)(day - first) * w / (double)(last - first);
}

/* dash_svg_rate_path - see dash_svg.h */
void
dash_svg_rate_path(struct buf *out, const struct dash_day *days, size_t n,
    time_t first, time_t last, int w, int h)
{
	size_t i;
	int started = 0;

	for (i = 0; i < n; i++) {
		unsigned long total = days[i].pass + days[i].fail;

		if (total == 0 || days[i].day < first || days[i].day > last)
			continue;
		buf_printf(out, "%s%.1f,%.1f", started ? " L" : "M",
		    x_of(days[i].day, first, last, w),
		    h - (double)days[i].pass * h / (double)total);
		started = 1;
	}
}

/* frame - the <svg> opening, the plot's frame and its date labels */
static void
frame(struct buf *out, const char *label, time_t first, time_t last)
{
	buf_printf(out, "<svg class=\"chart\" viewBox=\"0 0 660 250\" role=\"img\" "
	    "aria-label=\"%s\" xmlns=\"http://www.w3.org/2000/svg\">\n", label);
	buf_printf(out, "<rect class=\"plot\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
	    PX, PY, PW, PH);
	buf_printf(out, "<text class=\"axis\" x=\"%d\" y=\"%d\">", PX, PY + PH + 16);
	dash_svg_date(out, first);
	buf_printf(out, "</text><text class=\"axis end\" x=\"%d\" y=\"%d\">", PX + PW, PY + PH + 16);
	dash_svg_date(out, last);
	buf_adds(out, "</text>\n");
}

/* rate_axis - horizontal grid lines and labels at 0, 50, 90 and 100% */
static void
rate_axis(struct buf *out)
{
	static const int pct[] = { 0, 50, 90, 100 };
	size_t i;
	double y;

	for (i = 0; i < sizeof(pct) / sizeof(pct[0]); i++) {
		y = PY + PH - (double)pct[i] * PH / 100;
		buf_printf(out, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
		    "<text class=\"axis end\" x=\"%d\" y=\"%.1f\">%d%%</text>\n",
		    PX, y, PX + PW, y, PX - 4, y + 4, pct[i]);
	}
}

/* rate_points - a circle per day of one series, its rate in a <title> */
static void
rate_points(struct buf *out, const struct dash_svg_series *s, int colour,
    time_t first, time_t last)
{
	size_t i;

	for (i = 0; i < s->ndays; i++) {
		const struct dash_day *d = &s->days[i];
		unsigned long total = d->pass + d->fail;

		if (total == 0 || d->day < first || d->day > last)
			continue;
		buf_printf(out, "<circle class=\"pt s%d\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\"><title>",
		    colour, PX + x_of(d->day, first, last, PW),
		    PY + PH - (double)d->pass * PH / (double)total);
		dash_html_escape(out, s->name);
		buf_addc(out, ' ');
		dash_svg_date(out, d->day);
		buf_adds(out, ": ");
		dash_rate_text(out, d->pass, total);
		buf_printf(out, " of %lu</title></circle>\n", total);
	}
}

/* dash_svg_rate_chart - see dash_svg.h */
void
dash_svg_rate_chart(struct buf *out, const struct dash_svg_series *s, size_t ns,
    time_t first, time_t last)
{
	size_t i;

	frame(out, "DMARC pass rate per day", first, last);
	rate_axis(out);
	for (i = 0; i < ns; i++) {
		buf_printf(out, "<path class=\"line s%zu\" transform=\"translate(%d,%d)\" d=\"",
		    i % NCOLOURS, PX, PY);
		dash_svg_rate_path(out, s[i].days, s[i].ndays, first, last, PW, PH);
		buf_adds(out, "\"/>\n");
		rate_points(out, &s[i], (int)(i % NCOLOURS), first, last);
	}
	buf_adds(out, "</svg>\n<p class=\"legend\">");
	for (i = 0; i < ns; i++) {
		buf_printf(out, "<span class=\"key s%zu\"></span>", i % NCOLOURS);
		dash_html_escape(out, s[i].name);
		buf_adds(out, " ");
	}
	buf_adds(out, "</p>\n");
}

/* bar - one stacked segment of a day's volume bar, with its <title> */
static void
bar(struct buf *out, const char *cls, double x, double w, double *y, double hgt,
    const char *what, time_t day, unsigned long n)
{
	if (n == 0)
		return;
	*y -= hgt;
	buf_printf(out, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>",
	    cls, x, *y, w, hgt);
	dash_svg_date(out, day);
	buf_printf(out, ": %lu %s</title></rect>\n", n, what);
}

/* dash_svg_volume_chart - see dash_svg.h */
void
dash_svg_volume_chart(struct buf *out, const struct dash_day *days, size_t n,
    time_t first, time_t last)
{
	unsigned long max = 0, t;
	double slot, x, y;
	size_t i;

	for (i = 0; i < n; i++) {
		t = days[i].none + days[i].quarantine + days[i].reject;
		if (days[i].day >= first && days[i].day <= last && t > max)
			max = t;
	}
	frame(out, "messages per day by disposition", first, last);
	buf_printf(out, "<text class=\"axis end\" x=\"%d\" y=\"%d\">%lu</text>\n",
	    PX - 4, PY + 4, max);
	slot = (double)PW / ((double)(last - first) / DASH_DAY + 1);
	for (i = 0; max > 0 && i < n; i++) {
		const struct dash_day *d = &days[i];

		if (d->day < first || d->day > last)
			continue;
		x = PX + (double)(d->day - first) / DASH_DAY * slot + slot * 0.1;
		y = PY + PH;
		bar(out, "none", x, slot * 0.8, &y, (double)d->none * PH / max, "none", d->day, d->none);
		bar(out, "quar", x, slot * 0.8, &y, (double)d->quarantine * PH / max,
		    "quarantine", d->day, d->quarantine);
		bar(out, "rej", x, slot * 0.8, &y, (double)d->reject * PH / max, "reject", d->day, d->reject);
	}
	buf_adds(out, "</svg>\n<p class=\"legend\"><span class=\"key none\"></span>none "
	    "<span class=\"key quar\"></span>quarantine <span class=\"key rej\"></span>reject</p>\n");
}

/* label_cut - a long label cut to max bytes (at a UTF-8 character's
 * start) and "..." appended: what the label column holds */
static void
label_cut(struct buf *b, size_t max)
{
	size_t k = max;

	if (b->len <= max + 3)
		return;
	while (k > 0 && ((unsigned char)b->data[k] & 0xc0) == 0x80)
		k--;
	b->len = k;
	b->data[k] = '\0';
	buf_adds(b, "...");
}

/* dash_svg_group_bars - see dash_svg.h */
void
dash_svg_group_bars(struct buf *out, const struct dash_group *g, size_t n, int by_asn)
{
	struct buf label = BUF_INIT;
	unsigned long max = 0;
	double w, wp;
	size_t i;
	int y;

	for (i = 0; i < n; i++)
		max = g[i].messages > max ? g[i].messages : max;
	buf_printf(out, "<svg class=\"chart\" viewBox=\"0 0 660 %zu\" role=\"img\" aria-label=\""
	    "messages by %s\" xmlns=\"http://www.w3.org/2000/svg\">\n", n * 22 + 8,
	    by_asn ? "autonomous system" : "country");
	for (i = 0; i < n; i++) {
		y = (int)i * 22 + 4;
		w = max ? (double)g[i].messages * 340 / (double)max : 0;
		wp = g[i].messages ? w * (double)g[i].dmarc_pass / (double)g[i].messages : 0;
		dash_group_label(&label, &g[i], by_asn);
		buf_adds(out, "<g><title>");
		dash_html_escape(out, label.data);
		buf_printf(out, ": %lu messages, %lu pass DMARC</title>\n", g[i].messages,
		    g[i].dmarc_pass);
		buf_printf(out, "<text class=\"axis end\" x=\"214\" y=\"%d\">", y + 14);
		label_cut(&label, 32);
		dash_html_escape(out, label.data);
		buf_printf(out, "</text><rect class=\"failbar\" x=\"220\" y=\"%d\" width=\"%.1f\""
		    " height=\"16\"/><rect class=\"passbar\" x=\"220\" y=\"%d\" width=\"%.1f\""
		    " height=\"16\"/>", y, w, y, wp);
		buf_printf(out, "<text class=\"axis\" x=\"%.1f\" y=\"%d\">%lu, ", 226 + w, y + 13,
		    g[i].messages);
		dash_rate_text(out, g[i].dmarc_pass, g[i].messages);
		buf_adds(out, " pass</text></g>\n");
	}
	buf_adds(out, "</svg>\n");
	buf_free(&label);
}
