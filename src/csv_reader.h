/*
 * csv_reader.h: the former name of source_csv.h, kept while compare.c
 * still includes it.
 */
#include "source_csv.h"
