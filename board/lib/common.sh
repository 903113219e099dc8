# shellcheck shell=bash
# Shared helpers for board/ and Tests/rig/ scripts (sourced, not executed).
# - rig_cache:      cache folder outside the repo (LINESIDE_RIG_CACHE, default /var/cache/lineside-rig)
# - debian_mirror:  the Debian archive URI configured on this machine (one-line sources.list or deb822)
# - private_apt:    apt-get against a private apt root (own sources, lists, cache, status) for any
#                   suite/architecture, leaving the machine's own apt state untouched.

set -euo pipefail

RIG_CACHE="${LINESIDE_RIG_CACHE:-/var/cache/lineside-rig}"
APT_ETC="${LINESIDE_APT_ETC:-/etc/apt}"   # the machine apt configuration to read mirrors from
mkdir -p "$RIG_CACHE"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# apt_sources: prints "URI SUITE" for every enabled `deb` entry of this machine's apt configuration
# (/etc/apt/sources.list, sources.list.d/*.list one-line entries and deb822 *.sources files).
apt_sources() {
    local f
    for f in "$APT_ETC/sources.list" "$APT_ETC"/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk '$1=="deb" { i=2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                         u=$i; sub(/\/$/, "", u); print u, $(i+1) }' "$f"
    done
    for f in "$APT_ETC"/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # deb822: paragraphs separated by blank lines; fields URIs / Suites / Types / Enabled.
        awk 'BEGIN{RS=""; FS="\n"}
            { uris=""; suites=""; types=""; enabled="yes"
              for (n=1; n<=NF; n++) { line=$n; if (line ~ /^#/) continue
                  split(line, kv, ":"); key=tolower(kv[1]); val=substr(line, length(kv[1])+2)
                  gsub(/^[ \t]+|[ \t]+$/, "", val)
                  if (key=="uris") uris=val; else if (key=="suites") suites=val
                  else if (key=="types") types=val; else if (key=="enabled") enabled=tolower(val) }
              if (enabled=="no" || types !~ /(^| )deb( |$)/) next
              nu=split(uris, u, /[ \t]+/); ns=split(suites, s, /[ \t]+/)
              for (a=1; a<=nu; a++) for (b=1; b<=ns; b++) { x=u[a]; sub(/\/$/, "", x); print x, s[b] } }' "$f"
    done
}

# bookworm_sources: "URI SUITE" for bookworm, bookworm-updates and bookworm-security as configured.
bookworm_sources() {
    local out; out=$(apt_sources | awk '$2=="bookworm" || $2 ~ /^bookworm-(updates|security)$/' | sort -u)
    [ -n "$out" ] || die "no Debian bookworm archive found in /etc/apt/sources.list(.d)"
    echo "$out"
}

# debian_mirror: the URI of the main Debian archive (the one serving plain "bookworm").
debian_mirror() { bookworm_sources | awk '$2=="bookworm" { print $1; exit }'; }

# private_apt SUITE ARCH apt-get-args...   (private_apt_cache SUITE ARCH apt-cache-args...)
# Runs apt-get with a private root under $RIG_CACHE/apt/SUITE-ARCH (created on first use, lists
# refreshed when older than a day). Downloads land in the current directory for `download`.
private_apt() { APT_TOOL=apt-get private_apt_run "$@"; }
private_apt_cache() { APT_TOOL=apt-cache private_apt_run "$@"; }
private_apt_run() {
    local suite=$1 arch=$2; shift 2
    local root="$RIG_CACHE/apt/$suite-$arch"
    mkdir -p "$root/etc/apt/apt.conf.d" "$root/etc/apt/preferences.d" "$root/etc/apt/sources.list.d" \
             "$root/lists/partial" "$root/archives/partial" "$root/state"
    touch "$root/state/status"
    # bookworm: the machine's own bookworm entries (incl. -updates, -security); other suites
    # (trixie, sid) from the main archive.
    if [ "$suite" = bookworm ]; then
        bookworm_sources | while read -r uri s; do echo "deb [arch=$arch] $uri $s main"; done
    else
        echo "deb [arch=$arch] $(debian_mirror) $suite main"
    fi > "$root/etc/apt/sources.list"
    cat > "$root/apt.conf" <<CONF
Dir "$root/";
Dir::Etc "$root/etc/apt/";
Dir::State "$root/state/";
Dir::State::Lists "$root/lists/";
Dir::State::status "$root/state/status";
Dir::Cache "$root/";
Dir::Cache::archives "$root/archives/";
Dir::Etc::Trusted "/etc/apt/trusted.gpg";
Dir::Etc::TrustedParts "/etc/apt/trusted.gpg.d/";
APT::Architecture "$arch";
APT::Architectures { "$arch"; };
Acquire::Check-Valid-Until "false";
Acquire::Check-Date "false";
APT::Sandbox::User "root";
Acquire::Languages "none";
Acquire::IndexTargets::deb::DEP-11::DefaultEnabled "false";
Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled "false";
CONF
    local stamp="$root/lists/.updated"
    if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440)" ]; then
        APT_CONFIG="$root/apt.conf" apt-get -q update >&2 || die "apt-get update failed for $suite/$arch"
        touch "$stamp"
    fi
    APT_CONFIG="$root/apt.conf" "$APT_TOOL" -q "$@"
}

# fetch_deb SUITE ARCH PACKAGE -> prints the path of the cached .deb (downloaded once).
fetch_deb() {
    local suite=$1 arch=$2 pkg=$3 dir="$RIG_CACHE/debs/$1-$2"
    mkdir -p "$dir"
    local ver; ver=$(private_apt_cache "$suite" "$arch" show "$pkg" 2>/dev/null | awk '/^Version:/{print $2; exit}')
    [ -n "$ver" ] || die "package $pkg not found in $suite/$arch"
    local f; f=$(ls "$dir/${pkg}_${ver/*:/}_"*.deb 2>/dev/null | head -1 || true)
    if [ -z "$f" ]; then
        (cd "$dir" && private_apt "$suite" "$arch" download "$pkg" >&2) || die "download of $pkg ($suite/$arch) failed"
        f=$(ls "$dir/${pkg}_${ver/*:/}_"*.deb | head -1)
    fi
    echo "$f"
}

# ensure_packages PKG...: installs the host Debian packages that are missing (CI runs as root).
ensure_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || die "missing host packages (install as root): ${missing[*]}"
    log "installing host packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
        || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; } \
        || die "apt-get install ${missing[*]} failed"
}
