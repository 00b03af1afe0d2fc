# Shared by start.sh and test.sh (sourced, not run): Debian packages and the virtualenv.
# Works on a fresh Debian machine with Python 3.11, as root or with sudo.

export DEBIAN_FRONTEND=noninteractive

_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        echo "需要 root 权限来安装系统软件包：$*" >&2
        return 1
    fi
}

_missing_debian_packages() {
    local package
    for package in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            echo "$package"
        fi
    done
}

# ensure_debian_packages PACKAGE...: apt-get install only those not installed yet.
ensure_debian_packages() {
    local missing
    missing=$(_missing_debian_packages "$@")
    if [ -z "$missing" ]; then
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "缺少系统软件包（请手动安装）：$missing" >&2
        return 1
    fi
    echo "安装系统软件包：$missing"
    # shellcheck disable=SC2086  # one word per package
    _as_root apt-get update -qq && _as_root apt-get install -y -qq --no-install-recommends $missing </dev/null
}

# ensure_venv REQUIREMENTS_FILE: create .venv if missing and install the file's
# pinned packages; skipped when the requirements have not changed since.
ensure_venv() {
    local requirements="$1" python="${PYTHON:-python3}" stamp=".venv/.installed-requirements"
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "需要 Python 3.11 或更新版本（当前：$("$python" --version 2>&1)）" >&2
        return 1
    fi
    if [ ! -x .venv/bin/python ]; then
        if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
            ensure_debian_packages python3-venv
        fi
        "$python" -m venv .venv
    fi
    local wanted
    wanted=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)-$requirements
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
        return 0
    fi
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements"
    echo "$wanted" >"$stamp"
}
