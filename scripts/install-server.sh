#!/usr/bin/env bash
# Install the tracker for every account on a server: a virtual environment made from the
# system Python under PREFIX (default /opt/zwgk-tracker), readable by all, and a link
# BINDIR/tracker (default /usr/local/bin) so that `tracker` is on every user's PATH.
#
#   sudo scripts/install-server.sh [--prefix /opt/zwgk-tracker] [--bin /usr/local/bin] [--python /usr/bin/python3]
#
# A venv keeps a link to the Python it was made from: one made from a Python under a private
# home folder (/root/..., pyenv, conda) fails for other accounts with "bad interpreter:
# Permission denied". So the interpreter must be one every account can reach; anything else
# is refused with a line saying why. Needs Python >= 3.11, git, and pip's access to PyPI (or
# a configured mirror) for the dependencies.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
prefix=/opt/zwgk-tracker
bindir=/usr/local/bin
python=/usr/bin/python3

while (($#)); do
  case "$1" in
    --prefix) prefix=${2:?--prefix needs a folder}; shift 2 ;;
    --bin) bindir=${2:?--bin needs a folder}; shift 2 ;;
    --python) python=${2:?--python needs an interpreter}; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-server.sh: 未知参数 $1 / unknown argument $1" >&2; exit 2 ;;
  esac
done

die() { echo "install-server.sh: $*" >&2; exit 1; }

command -v git >/dev/null 2>&1 || die "需要 git(apt-get install git) / git is needed (apt-get install git)"
[[ -x $python ]] || die "找不到 Python: $python(用 --python 指定) / no Python at $python (use --python)"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  die "需要 Python >= 3.11,$python 是 $("$python" -V 2>&1) / Python >= 3.11 is needed, $python is $("$python" -V 2>&1)"
"$python" -c 'import venv, ensurepip' 2>/dev/null ||
  die "$python 缺少 venv(apt-get install python3-venv) / $python lacks venv (apt-get install python3-venv)"

# Every folder on the way to the real interpreter must let other accounts through (o+x),
# and the interpreter itself must be readable and executable by them.
real=$(readlink -f "$python")
[[ $(( 0$(stat -c %a "$real") & 05 )) -eq 5 ]] ||
  die "$real 其他账号无法执行;请用系统的 /usr/bin/python3 / other accounts cannot run $real; use the system /usr/bin/python3"
dir=$(dirname "$real")
while [[ $dir != / ]]; do
  [[ $(( 0$(stat -c %a "$dir") & 01 )) -eq 1 ]] ||
    die "$real 在私人目录 $dir 下,其他账号无法使用由它建的环境;请用系统的 /usr/bin/python3 / $real lies under the private folder $dir: a venv made from it fails for other accounts; use the system /usr/bin/python3"
  dir=$(dirname "$dir")
done

umask 022  # everything installed is readable by every account
echo "+ $python -m venv $prefix"
"$python" -m venv --clear "$prefix"
echo "+ $prefix/bin/pip install $src"
"$prefix/bin/pip" install -q --disable-pip-version-check --no-cache-dir "$src"
chmod -R a+rX "$prefix"
install -d -m 755 "$bindir"
ln -sfn "$prefix/bin/tracker" "$bindir/tracker"
"$bindir/tracker" --help >/dev/null || die "$bindir/tracker --help 失败 / $bindir/tracker --help failed"
echo "已安装: $bindir/tracker -> $prefix/bin/tracker / installed: $bindir/tracker -> $prefix/bin/tracker"
