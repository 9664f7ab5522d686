# Sourced by the scripts in bin/: finds a JDK 25 or newer and sets JAVA25 to its home.
# Looks at INTERPROC_JAVA_HOME, JAVA_HOME, then the usual install places.
find_jdk25() {
  local cand v
  for cand in "${INTERPROC_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/* "$HOME"/.sdkman/candidates/java/* \
              "$HOME"/.jdks/* /opt/java/* /opt/jdk* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -n "$cand" ] && [ -x "$cand/bin/java" ] && [ -f "$cand/release" ] || continue
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$cand/release")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then
      JAVA25="$cand"
      return 0
    fi
  done
  echo "interproc needs a JDK 25 or newer and found none (looked at \$INTERPROC_JAVA_HOME, \$JAVA_HOME," >&2
  echo "/usr/lib/jvm, ~/.sdkman, ~/.jdks, /opt). Install one, for example Temurin 25" >&2
  echo "(apt: temurin-25-jdk from the Adoptium repository; sdkman: sdk install java 25-tem)," >&2
  echo "or set INTERPROC_JAVA_HOME to its directory." >&2
  return 1
}

# build_if_stale MODULE: builds MODULE and what it needs when its sources are newer than its last build.
build_if_stale() {
  local module="$1" root marker
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  marker="$root/$module/target/lib/.built"
  if [ ! -f "$marker" ] || [ -n "$(find "$root" -path '*/src/*' -newer "$marker" -print -quit)" ] \
     || [ "$root/pom.xml" -nt "$marker" ]; then
    echo "building $module (mvn package -DskipTests) ..." >&2
    (cd "$root" && mvn -B -q -DskipTests package -pl "$module" -am) || return 1
    touch "$marker"
  fi
}

# run_main MODULE CLASS ARGS...: runs a main class of MODULE on JDK 25, class path from its build.
run_main() {
  local module="$1" class="$2" root
  shift 2
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  exec "$JAVA25/bin/java" --enable-native-access=ALL-UNNAMED \
    -cp "$root/$module/target/classes:$root/$module/target/lib/*" "$class" "$@"
}
