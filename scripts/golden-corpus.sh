# Sourced by the golden scripts that read corpus captures (golden-app, golden-analyzer,
# golden-conversations): how a capture's name maps to a file, and to a golden file name.
export LC_ALL=C
quiet() { grep -v "^Running as user" >&2 || true; }

# Captures are named as tests/support/corpus.ts names them: "repo:" a file of this repository,
# packets/… a capture of the opt-in extra corpus (PORTTRACE_EXTRA_CORPUS: captures without a
# licence, never vendored; unset, their goldens are left as they are), anything else a path in
# the vendored corpus.
corpus=${CORPUS:-tests/corpus}
extra=${PORTTRACE_EXTRA_CORPUS:-}
path_of() {
  case $1 in
    repo:*) echo "${1#repo:}" ;;
    packets/* | netmon/*) echo "$extra/$1" ;;
    *) echo "$corpus/$1" ;;
  esac
}
name_of() { local n=${1#repo:}; echo "${n//\//__}"; }
# True (and says so) when a capture is in the extra corpus and PORTTRACE_EXTRA_CORPUS is unset.
unavailable() {
  if [[ $1 == packets/* || $1 == netmon/* ]] && [[ -z $extra ]]; then
    echo "skipped $1: set PORTTRACE_EXTRA_CORPUS to regenerate its golden (left unchanged)" >&2
    return 0
  fi
  return 1
}
