/*
 * templates.c: the HTML page shell and stylesheet, built in or read from the
 * directory named by [report] templates.
 *
 * The built-in pair is compiled into the binary (build/templates_builtin.c,
 * generated from templates/ by tools/embed.sh), so an installed recon needs
 * no data files.  A custom directory must hold both shell.html and
 * style.css; the shell must have a {{body}} placeholder, else nothing of the
 * report would show.
 */
#include "render.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const char recon_builtin_shell[];
extern const char recon_builtin_css[];

#define MAX_TEMPLATE_BYTES ((size_t)4 << 20)	/* a shell or stylesheet, 4 MiB */

/* Read dir/name into *text (malloc'd).  -1 with d naming the file. */
static int read_template(const char *dir, const char *name, char **text, struct diag *d)
{
	struct strbuf path, sb;
	FILE *f = NULL;
	struct stat st;
	char chunk[8192];
	size_t n;
	int ret = -1, fd;

	sb_init(&path);
	sb_init(&sb);
	sb.max = MAX_TEMPLATE_BYTES;
	sb_addf(&path, "%s/%s", dir, name);
	/* without blocking: a FIFO would wait for a writer forever (while the
	 * run holds the report directory's lock), a device never end */
	fd = open(path.buf, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		diag_error(d, "%s: %s", path.buf, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		diag_error(d, "%s: not a regular file", path.buf);
		close(fd);
		goto out;
	}
	f = fdopen(fd, "rb");
	if (!f) {
		diag_error(d, "%s: %s", path.buf, strerror(errno));
		close(fd);
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (sb_add(&sb, chunk, n) < 0) {
			diag_error(d, "%s: larger than %zu bytes", path.buf, sb.max);
			goto out;
		}
	}
	if (ferror(f)) {
		diag_error(d, "%s: %s", path.buf, strerror(errno));
		goto out;
	}
	if (strlen(sb.buf) != sb.len) {
		diag_error(d, "%s: contains a NUL byte", path.buf);
		goto out;
	}
	if (utf8_valid_prefix((const unsigned char *)sb.buf, sb.len) != sb.len) {
		diag_error(d, "%s: invalid UTF-8", path.buf);
		goto out;
	}
	if (strcmp(name, "shell.html") == 0 && !strstr(sb.buf, "{{body}}")) {
		diag_error(d, "%s: no {{body}} placeholder", path.buf);
		goto out;
	}
	*text = sb_detach(&sb, NULL);
	ret = 0;
out:
	if (f)
		fclose(f);
	sb_release(&path);
	sb_release(&sb);
	return ret;
}

/* Load the shell and stylesheet from dir (NULL: the built-in ones) into t.
 * Returns 0, or -1 with d naming the file that could not be used (t is then
 * empty).  The caller calls templates_release either way. */
int templates_load(struct templates *t, const char *dir, struct diag *d)
{
	memset(t, 0, sizeof(*t));
	if (!dir) {
		t->shell = recon_builtin_shell;
		t->css = recon_builtin_css;
		return 0;
	}
	if (read_template(dir, "shell.html", &t->owned_shell, d) < 0 ||
	    read_template(dir, "style.css", &t->owned_css, d) < 0) {
		templates_release(t);
		return -1;
	}
	t->shell = t->owned_shell;
	t->css = t->owned_css;
	return 0;
}

/* Free what templates_load read; t is left empty. */
void templates_release(struct templates *t)
{
	free(t->owned_shell);
	free(t->owned_css);
	memset(t, 0, sizeof(*t));
}
