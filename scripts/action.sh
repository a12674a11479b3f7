#!/usr/bin/env bash
# The steps of the GitHub Action (action.yml at the repository root). They
# live here, not in action.yml, so that scripts/actiontest runs them locally
# with the environment GitHub sets.
#
#   action.sh install   build ngxlint from the action's own checkout
#                       ($GITHUB_ACTION_PATH) into $RUNNER_TEMP/ngxlint-bin
#                       and add that to $GITHUB_PATH.
#                       env: NGXLINT_REF  the action's ref (github.action_ref),
#                       reported by `ngxlint version`.
#   action.sh lint      lint in $GITHUB_WORKSPACE: SARIF to $INPUT_SARIF_FILE,
#                       annotations (--format github) on stdout, counts to
#                       $GITHUB_OUTPUT, a table to $GITHUB_STEP_SUMMARY; exits
#                       with ngxlint's status (1: findings at or above
#                       $INPUT_FAIL_ON, 2: bad input, 3: config not loadable).
#                       env: INPUT_PATHS INPUT_FAIL_ON INPUT_SARIF_FILE
#                       INPUT_CONFIG INPUT_NGINX_VERSION (action.yml maps the
#                       inputs to them: a composite action gets none itself).
set -euo pipefail

die() {
	echo "::error title=ngxlint action::$*"
	exit 2
}

install() {
	: "${RUNNER_TEMP:?RUNNER_TEMP is not set}" "${GITHUB_PATH:?GITHUB_PATH is not set}"
	local src=${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}
	local bin=$RUNNER_TEMP/ngxlint-bin
	local ref=${NGXLINT_REF:-}
	local ldflags=""
	if [ -n "$ref" ]; then
		ldflags="-X main.buildVersion=$ref"
		# A ref pinned to a full commit is that commit.
		if [[ $ref =~ ^[0-9a-f]{40}$ ]]; then
			ldflags+=" -X main.buildCommit=$ref"
		fi
	fi
	command -v go >/dev/null || die "no go on PATH: keep the input setup-go: true, or install Go 1.26 or newer before this action"
	(cd "$src" && GOBIN=$bin go install -ldflags "$ldflags" ./cmd/ngxlint)
	echo "$bin" >>"$GITHUB_PATH"
	"$bin/ngxlint" version
}

# out NAME VALUE appends a step output.
out() { echo "$1=$2" >>"${GITHUB_OUTPUT:-/dev/null}"; }

# md escapes a workflow-command value for a Markdown table cell.
md() {
	local s=$1
	s=${s//%0A/ }
	s=${s//%0D/}
	s=${s//%3A/:}
	s=${s//%2C/,}
	s=${s//%25/%}
	s=${s//|/\\|}
	printf '%s' "$s"
}

lint() {
	cd "${GITHUB_WORKSPACE:?GITHUB_WORKSPACE is not set}"
	local args=(lint)
	[ -z "${INPUT_CONFIG:-}" ] || args+=(--config "$INPUT_CONFIG")
	[ -z "${INPUT_FAIL_ON:-}" ] || args+=(--fail-on "$INPUT_FAIL_ON")
	[ -z "${INPUT_NGINX_VERSION:-}" ] || args+=(--nginx-version "$INPUT_NGINX_VERSION")
	# Paths are separated by white space; no globbing.
	local paths=()
	set -f
	# shellcheck disable=SC2206
	paths=(${INPUT_PATHS:-})
	set +f
	local sarif=${INPUT_SARIF_FILE:-}
	local code

	if [ -n "$sarif" ]; then
		mkdir -p "$(dirname "$sarif")"
		code=0
		ngxlint "${args[@]}" --format sarif ${paths[@]+"${paths[@]}"} >"$sarif" || code=$?
		# 1 and 3 still write a complete report.
		if [ "$code" = 2 ]; then
			rm -f "$sarif"
			out exit-code 2
			exit 2
		fi
	fi

	local ann
	ann=$(mktemp)
	code=0
	ngxlint "${args[@]}" --format github ${paths[@]+"${paths[@]}"} >"$ann" || code=$?
	cat "$ann"

	local errors warnings notices
	errors=$(grep -c '^::error ' "$ann" || true)
	warnings=$(grep -c '^::warning ' "$ann" || true)
	notices=$(grep -c '^::notice ' "$ann" || true)
	out exit-code "$code"
	out errors "$errors"
	out warnings "$warnings"
	out notices "$notices"
	out sarif-file "$sarif"

	local verdict
	case $code in
	0) verdict="passed" ;;
	1) verdict="failed: findings at or above ${INPUT_FAIL_ON:-the configured severity}" ;;
	2) verdict="failed: usage error (see the log)" ;;
	3) verdict="failed: the nginx configuration could not be loaded" ;;
	*) verdict="failed: exit $code" ;;
	esac
	if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
		{
			echo "### ngxlint $verdict"
			echo
			echo "$errors errors, $warnings warnings, $notices notices."
			if [ -s "$ann" ]; then
				echo
				echo "| severity | location | rule | message |"
				echo "|---|---|---|---|"
				local line level props msg file row rule n=0
				while IFS= read -r line; do
					[[ $line =~ ^::([a-z]+)\ ([^:]*)::(.*)$ ]] || continue
					n=$((n + 1))
					if [ "$n" -gt 100 ]; then
						continue
					fi
					level=${BASH_REMATCH[1]} props=${BASH_REMATCH[2]} msg=${BASH_REMATCH[3]}
					file=$(sed -n 's/^file=\([^,]*\).*/\1/p' <<<"$props")
					row=$(sed -n 's/.*,line=\([0-9]*\).*/\1/p' <<<"$props")
					rule=$(sed -n 's/.*,title=\([^,]*\).*/\1/p' <<<"$props")
					echo "| $level | $(md "$file"):$row | $(md "$rule") | $(md "$msg") |"
				done <"$ann"
				if [ "$n" -gt 100 ]; then
					echo
					echo "…and $((n - 100)) more in the log."
				fi
			fi
		} >>"$GITHUB_STEP_SUMMARY"
	fi
	rm -f "$ann"
	exit "$code"
}

case ${1:-} in
install) install ;;
lint) lint ;;
*)
	echo "usage: $0 install|lint" >&2
	exit 2
	;;
esac
