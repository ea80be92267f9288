/*
 * fuzz_config.c: libFuzzer harness for the configuration parser.
 *
 * Each input is written to one temporary file (created once per process)
 * and loaded with config_load; on success the lookups are exercised and the
 * config released.  A crash, a sanitizer report or a leak is a bug, and so
 * is an error that does not name the file or a loaded configuration with
 * no enabled paging check.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -DRECON_ARENA_MALLOC \
 *     -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc \
 *     tests/fuzz/fuzz_config.c src/config*.c src/hint.c src/util.c \
 *     $(pkg-config --libs libcrypto) -lm -o build/fuzz_config
 *   build/fuzz_config tests/fuzz/corpus/config
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];	/* the temporary file, reused for every input */

static void cleanup(void)
{
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	struct diag d;
	FILE *f;
	size_t i;

	if (!path[0]) {
		int fd;

		snprintf(path, sizeof(path), "/tmp/fuzz_config-XXXXXX");
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
		atexit(cleanup);
	}
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	if (config_load(&cfg, path, "2026-11-22", &d) == 0) {
		bool gating = false;

		for (i = 0; i < cfg.nchecks; i++) {
			const struct check_cfg *c = &cfg.checks[i];

			gating |= c->enabled && c->paging;
			if (config_check(&cfg, c->id) != c)
				abort();
			if (c->kind != KIND_COMPARE && !config_source(&cfg, c->source))
				abort();
			if (c->target && !config_target(&cfg, c->target))
				abort();
			(void)check_kind_name(c->kind);
			(void)recovery_name(c->recovery);
		}
		if (!gating)
			abort();	/* a gate needs something to assert */
		config_release(&cfg);
	} else if (strncmp(d.msg, path, strlen(path)) != 0) {
		abort();	/* every error names the file */
	}
	return 0;
}
