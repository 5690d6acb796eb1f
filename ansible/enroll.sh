#!/bin/sh
# MyCloudManager enrollment: makes this machine manageable by a MyCloudManager gateway, then
# registers it as an Instance.
#
#   curl -fsSL 'GW/enroll.sh' | sudo sh -s -- --gateway GW --token TOKEN [--user mcm] [--ssh-port 22]
#
# It creates the management user (locked password) if missing, trusts the gateway's SSH key for
# that user, lets it use sudo without a password, and posts this machine's facts to the gateway.
# When the gateway refuses the machine, what this run created is removed again. Running it twice
# changes nothing the second time. Supported: Debian, Ubuntu and derivatives; RHEL, Rocky Linux,
# AlmaLinux, CentOS and derivatives.
#
# Exit status: 0 enrolled, 1 failed (the message says why), 2 bad arguments.
#
# POSIX sh (dash, bash, busybox ash). Everything is inside functions and main runs on the last
# line, so a truncated download runs nothing, and nothing can read the rest of the script from
# stdin while `sh -s` reads it.

set -eu
LC_ALL=C
export LC_ALL
umask 022

key_options='no-agent-forwarding,no-X11-forwarding,no-port-forwarding'
sudoers_file=/etc/sudoers.d/mycloudmanager
# Characters this script sends inside JSON strings: nothing that needs escaping.
json_safe='A-Za-z0-9 ._:/+=@,~()-'
# Characters of a gateway URL (brackets for an IPv6 address; ']' first so it is literal).
url_safe='][A-Za-z0-9.:/_%-'

say() { printf 'mycloudmanager: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

usage() {
  cat >&2 <<'EOF'
usage: curl -fsSL 'GW/enroll.sh' | sudo sh -s -- --gateway GW --token TOKEN [--user mcm] [--ssh-port 22]
  --gateway URL   the gateway, e.g. http://10.0.0.1:30000 (as in the dashboard's command)
  --token TOKEN   the enrollment token of that command
  --user NAME     the management user to create and trust (default mcm)
  --ssh-port N    the port the gateway reaches sshd on (default 22)
EOF
  exit 2
}

# Removes control characters (a server's message must not drive the terminal) and caps length.
printable() {
  printf '%s' "$1" | tr -d '\000-\010\013-\037\177' | tr '\n\t' '  ' | cut -c1-400
}

parse_args() {
  gateway='' token='' user=mcm ssh_port=22
  while [ $# -gt 0 ]; do
    case $1 in
      --gateway|--token|--user|--ssh-port)
        [ $# -ge 2 ] || { say "$1 needs a value"; usage; }
        case $1 in
          --gateway) gateway=$2 ;;
          --token) token=$2 ;;
          --user) user=$2 ;;
          --ssh-port) ssh_port=$2 ;;
        esac
        shift 2 ;;
      --gateway=*) gateway=${1#*=}; shift ;;
      --token=*) token=${1#*=}; shift ;;
      --user=*) user=${1#*=}; shift ;;
      --ssh-port=*) ssh_port=${1#*=}; shift ;;
      -h|--help) usage ;;
      *) say "unknown argument: $(printable "$1")"; usage ;;
    esac
  done
  [ -n "$gateway" ] || { say "--gateway is required"; usage; }
  [ -n "$token" ] || { say "--token is required"; usage; }
  case $gateway in
    http://?*|https://?*) ;;
    *) say "--gateway must be an http:// or https:// URL, got '$(printable "$gateway")'"; usage ;;
  esac
  case $gateway in
    *[!$url_safe]*) say "--gateway has unexpected characters: '$(printable "$gateway")'"; usage ;;
  esac
  gateway=${gateway%/}
  # The token goes into an HTTP header: only URL-safe and base64 characters.
  case $token in
    *[!A-Za-z0-9._~+/=-]*) say "--token has unexpected characters (copy the whole command again)"; usage ;;
  esac
  case $user in
    root) say "--user root: use a dedicated management user (the default, mcm)"; usage ;;
    [a-z_]*) ;;
    *) say "--user must be a Unix user name such as mcm"; usage ;;
  esac
  case $user in
    *[!a-z0-9_-]*) say "--user must be a Unix user name such as mcm"; usage ;;
  esac
  [ ${#user} -le 32 ] || { say "--user is longer than 32 characters"; usage; }
  case $ssh_port in
    ''|*[!0-9]*) say "--ssh-port must be a number"; usage ;;
  esac
  if [ "$ssh_port" -lt 1 ] || [ "$ssh_port" -gt 65535 ]; then
    say "--ssh-port must be from 1 to 65535"; usage
  fi
}

# --- distribution -------------------------------------------------------------------------------

# os_field KEY FILE: the value of KEY in an os-release file, without its quotes. Read, not sourced:
# the file is data.
os_field() {
  sed -n "s/^$1=//p" "$2" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\\(.*\\)'\$/\\1/"
}

detect_os() {
  release=/etc/os-release
  [ -r "$release" ] || release=/usr/lib/os-release
  [ -r "$release" ] || die "cannot tell which distribution this is (no /etc/os-release);" \
    "MyCloudManager enrolls Debian, Ubuntu, RHEL, Rocky Linux, AlmaLinux, CentOS and their derivatives"
  os_id=$(os_field ID "$release" | tr '[:upper:]' '[:lower:]')
  os_like=$(os_field ID_LIKE "$release" | tr '[:upper:]' '[:lower:]')
  # Debian's NAME is "Debian GNU/Linux"; the dashboard shows the short name.
  os_name=$(os_field NAME "$release")
  os_name=${os_name% GNU/Linux}
  os_version=$(os_field VERSION_ID "$release")
  case $os_id in
    debian|ubuntu) os_family=debian ;;
    rhel|rocky|almalinux|centos) os_family=rhel ;;
    *)
      case " $os_like " in
        *" debian "*|*" ubuntu "*) os_family=debian ;;
        *" rhel "*|*" fedora "*|*" centos "*) os_family=rhel ;;
        *) die "unsupported distribution '$(printable "${os_name:-$os_id}")' (ID=$(printable "$os_id")):" \
             "MyCloudManager enrolls Debian, Ubuntu, RHEL, Rocky Linux, AlmaLinux, CentOS and their derivatives" ;;
      esac ;;
  esac
  [ -n "$os_name" ] || os_name=$os_id
}

# --- HTTP ---------------------------------------------------------------------------------------

pick_client() {
  if command -v curl >/dev/null 2>&1; then
    client=curl
    # The token travels in a config file rather than on a command line other users can read.
    printf 'header = "Authorization: Bearer %s"\n' "$token" >"$work/curl.cfg"
  elif command -v wget >/dev/null 2>&1; then
    client=wget
  else
    die "neither curl nor wget is installed: install curl and run the command again"
  fi
}

# http METHOD PATH OUT [JSON_FILE]: the response body lands in OUT, its status in http_status
# ("000" when the gateway did not answer, with the reason in http_failure).
http() {
  h_url=$gateway$2
  h_out=$3
  h_data=${4:-}
  http_failure=''
  : >"$h_out"
  if [ "$client" = curl ]; then
    if [ -n "$h_data" ]; then
      http_status=$(curl -sS -K "$work/curl.cfg" --connect-timeout 10 --max-time 60 \
        -o "$h_out" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
        --data-binary "@$h_data" "$h_url" 2>"$work/http.err") || http_status=000
    else
      http_status=$(curl -sS -K "$work/curl.cfg" --connect-timeout 10 --max-time 60 \
        -o "$h_out" -w '%{http_code}' "$h_url" 2>"$work/http.err") || http_status=000
    fi
  else
    # GNU wget: --content-on-error keeps the body of an error response (its message), except
    # for a 401, whose body wget drops; -nv -S puts the status line and any error on stderr.
    if [ -n "$h_data" ]; then
      wget -nv -S --content-on-error --tries=1 --timeout=30 -O "$h_out" \
        --header="Authorization: Bearer $token" --header='Content-Type: application/json' \
        --post-file="$h_data" "$h_url" 2>"$work/http.err" || true
    else
      wget -nv -S --content-on-error --tries=1 --timeout=30 -O "$h_out" \
        --header="Authorization: Bearer $token" "$h_url" 2>"$work/http.err" || true
    fi
    http_status=$(awk '$1 ~ /^HTTP\// { s = $2 } END { print s }' "$work/http.err")
    [ -n "$http_status" ] || http_status=000
  fi
  case $http_status in
    [1-5][0-9][0-9]) ;;
    *) http_status=000 ;;
  esac
  if [ "$http_status" = 000 ]; then
    http_failure=$(printable "$(grep -v '^ ' "$work/http.err" | tail -n 2)")
  fi
}

# json_string KEY FILE: the first string value of "KEY" in a JSON document (enough for the
# gateway's small answers; escapes are decoded loosely, for display only).
json_string() {
  awk -v key="\"$1\"" '
    { doc = doc $0 " " }
    END {
      i = index(doc, key); if (i == 0) exit 1
      rest = substr(doc, i + length(key))
      if (!match(rest, /^[ \t]*:[ \t]*"/)) exit 1
      rest = substr(rest, RLENGTH + 1); out = ""
      while (length(rest) > 0) {
        c = substr(rest, 1, 1)
        if (c == "\\") {
          e = substr(rest, 2, 1)
          if (e == "u") { out = out "?"; rest = substr(rest, 7); continue }
          out = out ((e == "n" || e == "t" || e == "r") ? " " : e); rest = substr(rest, 3); continue
        }
        if (c == "\"") { print out; exit 0 }
        out = out c; rest = substr(rest, 2)
      }
      exit 1
    }' "$2"
}

# The gateway's message for a refused request, else the start of whatever it sent.
server_message() {
  m=$(json_string message "$1" 2>/dev/null) || m=$(head -c 200 "$1" | head -n 1)
  printable "${m:-(no message)}"
}

# What the person running this can do about a refusal.
advice() {
  case $1 in
    401|403|410) echo "Ask for a new enrollment command in the dashboard and run it" ;;
    404) echo "Check --gateway: it must be the address of the MyCloudManager gateway, as in the dashboard's command" ;;
    409) echo "Another machine is enrolled with this hostname: rename this machine, or remove the other instance in the dashboard" ;;
    400|422) echo "The gateway refused a fact of this machine; fix it and run the command again" ;;
    429) echo "Wait a minute and run the command again" ;;
    5*) echo "The gateway failed: run the command again later, and tell its administrators if it persists" ;;
    *) echo "Check --gateway and run the command again" ;;
  esac
}

unreachable() {
  die "the gateway at $gateway is unreachable from this machine ($1):" \
    "check the address, the network and any firewall in between, and run the command again"
}

fetch_gateway_key() {
  http GET /api/v1/enroll/ssh-key "$work/key"
  [ "$http_status" != 000 ] || unreachable "${http_failure:-no answer}"
  case $http_status in
    2??) ;;
    *) die "the gateway refused to give its SSH key (HTTP $http_status): $(server_message "$work/key")." \
         "$(advice "$http_status")" ;;
  esac
  key_line=$(head -n 1 "$work/key" | tr -d '\r')
  key_type=${key_line%% *}
  key_rest=${key_line#* }
  key_blob=${key_rest%% *}
  key_comment=''
  [ "$key_rest" = "$key_blob" ] || key_comment=${key_rest#* }
  case $key_type in
    ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521) ;;
    *) die "the gateway's answer is not an SSH public key ('$(printable "$key_line")'): check --gateway" ;;
  esac
  case $key_blob in
    ''|*[!A-Za-z0-9+/=]*) die "the gateway's SSH key is malformed: check --gateway" ;;
  esac
  case $key_comment in
    *[!A-Za-z0-9._@-]*) key_comment=mycloudmanager ;;
  esac
  key_entry="$key_options $key_type $key_blob${key_comment:+ $key_comment}"
}

# --- facts --------------------------------------------------------------------------------------

# check_safe NAME VALUE: refuse a value that would need escaping in JSON rather than send it wrong.
check_safe() {
  case $2 in
    *[!$json_safe]*)
      die "cannot report $1 '$(printable "$2")': it holds characters (quotes, backslashes, control" \
        "or non-ASCII characters) that this script does not send; fix it and run the command again" ;;
  esac
}

gather_facts() {
  hostname=$(uname -n | tr '[:upper:]' '[:lower:]')
  hostname=${hostname%%.*}
  case $hostname in
    ''|-*|*-|*[!a-z0-9-]*)
      die "the hostname '$(printable "$hostname")' is not a DNS label (letters, digits and '-'," \
        "not starting or ending with '-'): set one, e.g. hostnamectl set-hostname web-1, and run again" ;;
  esac
  [ ${#hostname} -le 63 ] || die "the hostname '$hostname' is longer than 63 characters: set a shorter one"

  command -v ip >/dev/null 2>&1 || die "the ip command is missing: install iproute2 (Debian) or iproute (RHEL)"
  # IPv4 first: it is what an ops team types and what a gateway most likely routes to.
  addresses=$( { ip -o -4 addr show scope global; ip -o -6 addr show scope global; } 2>/dev/null |
    awk '{ sub(/\/.*/, "", $4); if (!seen[$4]++) print $4 }' | head -n 16)
  [ -n "$addresses" ] || die "this machine has no global IP address (ip addr show scope global):" \
    "the gateway needs one to reach it"
  addresses_json=''
  for a in $addresses; do
    check_safe address "$a"
    addresses_json="$addresses_json${addresses_json:+,}\"$a\""
  done

  cpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || grep -c '^processor' /proc/cpuinfo)
  memory_mib=$(awk '$1 == "MemTotal:" { printf "%d", $2 / 1024 }' /proc/meminfo)
  kernel=$(uname -r)

  machine_id=''
  for f in /etc/machine-id /var/lib/dbus/machine-id; do
    [ -z "$machine_id" ] && [ -r "$f" ] && machine_id=$(head -n 1 "$f" | tr -d ' \r')
  done
  case $machine_id in
    *[!0-9a-f]*|'') machine_id_ok=no ;;
    *) machine_id_ok=yes ;;
  esac
  if [ "$machine_id_ok" != yes ] || [ ${#machine_id} -ne 32 ]; then
    die "this machine has no valid /etc/machine-id (32 hex digits): create one with" \
      "systemd-machine-id-setup or dbus-uuidgen --ensure=/etc/machine-id"
  fi

  host_key=''
  for t in ed25519 ecdsa rsa; do
    if [ -z "$host_key" ] && [ -r "/etc/ssh/ssh_host_${t}_key.pub" ]; then
      host_key=$(awk '{ print $1, $2; exit }' "/etc/ssh/ssh_host_${t}_key.pub")
    fi
  done
  [ -n "$host_key" ] || die "no SSH host key in /etc/ssh: install openssh-server and run the command again"

  for n in "$cpu" "$memory_mib"; do
    case $n in
      ''|*[!0-9]*) die "cannot read the CPU count or memory size of this machine" ;;
    esac
  done
  check_safe hostname "$hostname"
  check_safe 'os name' "$os_name"
  check_safe 'os version' "$os_version"
  check_safe kernel "$kernel"
  check_safe 'host key' "$host_key"
  [ ${#os_name} -le 63 ] || os_name=$(printf '%s' "$os_name" | cut -c1-63)

  printf '{"hostname":"%s","addresses":[%s],"os":{"family":"%s","name":"%s","version":"%s"},"cpu":%s,"memoryMiB":%s,"kernel":"%s","machineId":"%s","hostKey":"%s","sshUser":"%s","sshPort":%s}\n' \
    "$hostname" "$addresses_json" "$os_family" "$os_name" "$os_version" "$cpu" "$memory_mib" \
    "$kernel" "$machine_id" "$host_key" "$user" "$ssh_port" >"$work/facts.json"
}

# --- local changes, and undoing them ------------------------------------------------------------

# What this run created, so that a refusal removes exactly that.
created_user=no created_ssh_dir=no created_keys=no added_key=no sudoers_change=none

preflight_sudo() {
  command -v visudo >/dev/null 2>&1 || die "sudo is not installed: install it" \
    "(apt-get install sudo, or dnf install sudo) and run the command again"
  grep -Eq '^[#@]includedir[[:space:]]+/etc/sudoers.d[[:space:]]*$' /etc/sudoers ||
    die "/etc/sudoers does not read /etc/sudoers.d (no '@includedir /etc/sudoers.d' line):" \
      "add it and run the command again"
  command -v useradd >/dev/null 2>&1 || die "useradd is missing: install passwd (Debian) or shadow-utils (RHEL)"
}

ensure_user() {
  if id -u "$user" >/dev/null 2>&1; then
    return 0
  fi
  shell=/bin/sh
  [ -x /bin/bash ] && shell=/bin/bash
  useradd --create-home --shell "$shell" --comment 'MyCloudManager management' "$user" ||
    die "could not create the user $user (useradd failed)"
  created_user=yes
  # '*' matches no password, so the account only logs in with a key; unlike '!' it does not
  # make sshd refuse the key when it runs without PAM.
  usermod -p '*' "$user"
  say "created user $user"
}

ensure_key() {
  home=$(getent passwd "$user" | cut -d: -f6)
  if [ -z "$home" ] || [ ! -d "$home" ]; then
    die "the home directory of $user ('$home') does not exist"
  fi
  group=$(id -g "$user")
  ssh_dir=$home/.ssh
  keys=$ssh_dir/authorized_keys
  if [ ! -d "$ssh_dir" ]; then
    mkdir -m 700 "$ssh_dir"
    chown "$user:$group" "$ssh_dir"
    created_ssh_dir=yes
  fi
  if [ ! -e "$keys" ]; then
    : >"$keys"
    chmod 600 "$keys"
    chown "$user:$group" "$keys"
    created_keys=yes
  fi
  # The key may already be there, with these or other options: one line per key.
  if awk -v blob="$key_blob" '{ for (i = 1; i <= NF; i++) if ($i == blob) found = 1 }
      END { exit !found }' "$keys"; then
    return 0
  fi
  if [ -s "$keys" ] && [ -n "$(tail -c 1 "$keys")" ]; then
    echo >>"$keys"
  fi
  printf '%s\n' "$key_entry" >>"$keys"
  added_key=yes
  if command -v restorecon >/dev/null 2>&1; then
    restorecon -R "$ssh_dir" 2>/dev/null || true
  fi
  say "trusted the gateway's SSH key for $user"
}

ensure_sudoers() {
  new=/etc/sudoers.d/.mycloudmanager.new
  # requiretty (old RHEL defaults) would break ansible, which runs sudo without a terminal.
  cat >"$new" <<EOF
# MyCloudManager: the gateway manages this machine as $user, with sudo and without a tty.
Defaults:$user !requiretty
$user ALL=(ALL) NOPASSWD: ALL
EOF
  chmod 440 "$new"
  if [ -f "$sudoers_file" ] && cmp -s "$new" "$sudoers_file"; then
    rm -f "$new"
    return 0
  fi
  if ! visudo -cf "$new" >/dev/null 2>&1; then
    rm -f "$new"
    die "the sudoers rule for $user does not pass visudo -c; nothing was installed"
  fi
  if [ -f "$sudoers_file" ]; then
    cp -p "$sudoers_file" "$work/sudoers.previous"
    sudoers_change=replaced
  else
    sudoers_change=created
  fi
  # A file named with a dot is ignored by sudo, and mv on one filesystem is atomic: sudo never
  # reads a half-written rule.
  mv -f "$new" "$sudoers_file"
  say "allowed $user to use sudo ($sudoers_file)"
}

rollback() {
  case $sudoers_change in
    created) rm -f "$sudoers_file" ;;
    replaced) cp -p "$work/sudoers.previous" "$sudoers_file" ;;
  esac
  if [ "$created_user" = yes ]; then
    userdel -r "$user" >/dev/null 2>&1 || userdel "$user" || say "could not remove the user $user"
    say "removed what this run created (user $user, its SSH key and sudo rule)"
    return 0
  fi
  if [ "$added_key" = yes ]; then
    grep -vxF "$key_entry" "$keys" >"$work/keys" || true
    cat "$work/keys" >"$keys"
  fi
  if [ "$created_keys" = yes ] && [ ! -s "$keys" ]; then
    rm -f "$keys"
  fi
  if [ "$created_ssh_dir" = yes ]; then
    rmdir "$ssh_dir" 2>/dev/null || true
  fi
  if [ "$added_key" = yes ] || [ "$sudoers_change" != none ]; then
    say "removed what this run added (the gateway's SSH key and sudo rule for $user)"
  fi
}

# --- registration -------------------------------------------------------------------------------

register() {
  http POST /api/v1/enroll "$work/answer" "$work/facts.json"
  [ "$http_status" != 000 ] || unreachable "${http_failure:-no answer}"
  case $http_status in
    200|201) ;;
    *)
      message=$(server_message "$work/answer")
      field=$(json_string field "$work/answer" 2>/dev/null) || field=''
      [ -z "$field" ] || message="$message (field $(printable "$field"))"
      die "the gateway refused this machine (HTTP $http_status): $message. $(advice "$http_status")" ;;
  esac
  instance=$(json_string instance "$work/answer" 2>/dev/null) || instance=$hostname
  committed=yes
  printf 'enrolled as instance %s\n' "$(printable "$instance")"
  if grep -q '"created"[[:space:]]*:[[:space:]]*false' "$work/answer"; then
    say "this machine was enrolled already; the gateway updated what it knows of it"
  fi
}

finish() {
  status=$?
  set +e
  if [ "$committed" != yes ]; then
    rollback
  fi
  rm -rf "$work"
  exit "$status"
}

main() {
  parse_args "$@"
  [ "$(id -u)" -eq 0 ] || die "must run as root: pipe the script into 'sudo sh -s -- ...'"
  detect_os
  work=$(mktemp -d)
  committed=no
  trap finish EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP
  pick_client
  preflight_sudo
  gather_facts
  fetch_gateway_key
  ensure_user
  ensure_key
  ensure_sudoers
  register
}

main "$@" </dev/null
