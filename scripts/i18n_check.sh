#!/usr/bin/env bash
# The catalogues are complete (#17): every string in the source is in the English and Arabic
# catalogues, translated, none fuzzy. makemessages runs on a copy of the source, so the working
# tree is not touched; `msgfmt --statistics` must say "N translated messages." and nothing else.
#   scripts/i18n_check.sh            check (the lint pass of scripts/test.sh)
#   scripts/i18n_check.sh --update   refresh the catalogues in place (then translate what is new)
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${VENV:-.venv}/bin/python"
LANGS=(en ar)
if [ "${1:-}" = "--update" ]; then
  DJANGO_SETTINGS_MODULE=config.settings.test "$PY" manage.py makemessages --no-obsolete \
    $(printf -- '-l %s ' "${LANGS[@]}") >/dev/null && \
    for l in "${LANGS[@]}"; do msgfmt --statistics -o /dev/null "locale/$l/LC_MESSAGES/django.po"; done
  exit $?
fi
copy="$(mktemp -d "${TMPDIR:-/tmp}/bistand-i18n.XXXXXX")"
trap 'rm -rf "$copy"' EXIT
git ls-files -z | grep -zv '^locale/.*\.mo$' | xargs -0 -I{} cp --parents {} "$copy"
(cd "$copy" && DJANGO_SETTINGS_MODULE=config.settings.test "$OLDPWD/$PY" manage.py makemessages \
  --no-obsolete $(printf -- '-l %s ' "${LANGS[@]}") >/dev/null) || exit 1
rc=0
for l in "${LANGS[@]}"; do
  stats="$(msgfmt --check --statistics -o /dev/null "$copy/locale/$l/LC_MESSAGES/django.po" 2>&1 | grep -v 'warning: header')"
  echo "i18n $l: $stats"
  if ! grep -Eq '^[0-9]+ translated messages\.$' <<<"$stats"; then
    rc=1
    msgattrib --untranslated "$copy/locale/$l/LC_MESSAGES/django.po" | grep '^msgid' | head -5
    msgattrib --only-fuzzy "$copy/locale/$l/LC_MESSAGES/django.po" | grep '^msgid' | head -5
  fi
  # the compiled catalogue in the repository is the one the .po makes
  if ! msgfmt -o "$copy/$l.mo" "locale/$l/LC_MESSAGES/django.po" || ! cmp -s "$copy/$l.mo" "locale/$l/LC_MESSAGES/django.mo"; then
    echo "i18n $l: django.mo is not compiled from django.po (run: msgfmt -o locale/$l/LC_MESSAGES/django.mo locale/$l/LC_MESSAGES/django.po)"
    rc=1
  fi
done
exit $rc
