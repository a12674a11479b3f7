// Package directives knows nginx's directives the way nginx's configuration
// stage knows them: which module defines each one, the blocks it may appear
// in, how many arguments it takes, what its value must look like and
// whether a second one in the same block is an error — per nginx version and
// per set of enabled modules.
//
// It exists so that ngxlint can report, offline and in milliseconds, the
// [emerg] errors `nginx -t` would report for the commonest mistakes (a typo,
// a directive in the wrong block, a missing argument, "yes" for "on", a
// duplicate), without the production host names, certificates and files
// `nginx -t` needs. Its messages are worded exactly as nginx words them so a
// finding can be matched with nginx's own output.
//
// The knowledge is data: data/stock.tsv (nginx's own modules) and
// data/thirdparty.tsv (OpenResty's Lua modules, njs, headers-more, brotli,
// geoip2, vts, set-misc, echo), transcribed from the ngx_command_t tables of
// every release tag, with the source file and documentation page of each
// row. The package imports nothing from the rest of ngxlint: the rules that
// walk a parsed configuration call it.
package directives
