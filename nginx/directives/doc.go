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
// The knowledge is data: data/stock.tsv (nginx's own modules, every
// release from 1.18.0 to 1.31.4) and data/thirdparty.tsv (OpenResty's Lua
// modules, njs, headers-more, brotli, geoip2, vts, set-misc, echo, at their
// release tags), transcribed from the modules' ngx_command_t tables, with
// the source file and documentation page of each row; data/params.tsv
// holds the listen and upstream server parameters. Columns: name, module,
// contexts, argument rule, block, value kind, enum values, dup ("dup",
// "dup-bare" or "-"), since, until (exclusive), requires, handler, source.
// A row holds for the versions [since, until); a directive whose form
// changed has one row per form.
//
// Use: build a Build (ParseNginxV for `nginx -V` output, ParseConfigure,
// DefaultBuild, EverythingBuild; LoadModule for each load_module line;
// Enable for a configured module list), make a Set from it, and walk each
// block of the configuration with a Scope, calling Scope.Check for each
// statement and Child to learn the context of a block's body. A Problem
// carries nginx's exact message; its Hint and Suggest are ngxlint's own.
//
// Not modelled (nginx's own handlers check these after the argument count):
// the arguments of custom handlers (Kind KindCustom: listen addresses,
// proxy_pass URLs, zone sizes …) beyond CheckParam's parameter words, the
// bounds post-handlers put on numbers, and the handlers that refuse a
// second definition of one name (location, upstream, log_format, zones,
// cache paths, listen addresses).
//
// The package imports nothing from the rest of ngxlint: the rules that walk
// a parsed configuration call it.
package directives
