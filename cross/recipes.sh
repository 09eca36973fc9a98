# The per-target recipes for runtime stubs built on a Linux x86-64 machine: every
# compiler, archiver, linker and flag a target needs, in one table. Sourced by
# cross/stub; `recipe TRIPLE` sets the variables below or fails for an unknown triple.
#
#   apt        Debian packages that provide the tools (installed when a tool is missing)
#   tools      commands that must be on PATH afterwards (or files, by absolute path)
#   pip        PyPI packages installed into $FREEZE_STUB_CACHE/pip (zig, cargo-zigbuild)
#   cc, ar     the C compiler and archiver for every C-building crate (libffi, mimalloc,
#              SQLite, crypto providers …): exported as CC_<triple> / AR_<triple>.
#              "zig" means zig's clang for zig_target (`python3 -m ziglang cc -target …`);
#              under cargo-zigbuild the crates get cargo-zigbuild's wrapper of the same.
#   linker     CARGO_TARGET_<TRIPLE>_LINKER (empty: cargo-zigbuild's own)
#   ffi_host   autoconf --host for the static libffi (empty: the target's VM has no libffi)
#   cargo      `build` or `zigbuild`
#   zig_target the triple as cargo-zigbuild takes it (may carry a glibc version)
#   zig_cc_target  the same as zig cc takes it
#   rustflags  CARGO_TARGET_<TRIPLE>_RUSTFLAGS
#   env        extra VAR=value words for the build (deployment targets)
#   runner     how a test runs an output here ("" native, "wine", "qemu-aarch64 …", "none")
#
# Why each non-obvious entry is there is said beside it; docs/cross-target.md has the
# whole story.

# Every triple this file can build, in the order a full build takes them (the most used
# and cheapest to check first).
RECIPE_TRIPLES="x86_64-unknown-linux-gnu x86_64-pc-windows-gnu aarch64-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-musl aarch64-apple-darwin x86_64-apple-darwin"

# The glibc every Linux gnu stub is built against (through zig's per-version libc stubs):
# old enough for RHEL/CentOS 7 and Ubuntu 14.04 and everything since.
GLIBC_FLOOR=2.17

recipe() {
    apt="" tools="" pip="" cc="" ar="" linker="" ffi_host="" cargo=build zig_target="$1"
    rustflags="" env="" runner="" zig_cc_target=""
    case "$1" in
    x86_64-unknown-linux-gnu)
        # zig cc links against glibc 2.17's symbol versions; libffi is static.
        pip="ziglang cargo-zigbuild"
        cargo=zigbuild zig_target="$1.$GLIBC_FLOOR"
        cc=zig ar=zig zig_cc_target="x86_64-linux-gnu.$GLIBC_FLOOR"
        ffi_host=x86_64-linux-gnu
        ;;
    aarch64-unknown-linux-gnu)
        pip="ziglang cargo-zigbuild"
        # qemu-user and the aarch64 glibc run its outputs here, binutils strips them (tests).
        apt="qemu-user-static libc6-arm64-cross binutils-aarch64-linux-gnu"
        tools="qemu-aarch64-static /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 aarch64-linux-gnu-strip"
        cargo=zigbuild zig_target="$1.$GLIBC_FLOOR"
        cc=zig ar=zig zig_cc_target="aarch64-linux-gnu.$GLIBC_FLOOR"
        ffi_host=aarch64-linux-gnu
        runner="qemu-aarch64-static -L /usr/aarch64-linux-gnu"
        ;;
    x86_64-unknown-linux-musl)
        # Fully static. RustPython has no ctypes (no libffi) on musl.
        apt="musl-tools" tools="musl-gcc"
        cc=musl-gcc ar=ar linker=cc
        # musl's own (empty) libm.a must come before the system's glibc libm.a, which
        # the linker would otherwise pick for -lm and fail on.
        rustflags="-L native=/usr/lib/x86_64-linux-musl"
        ;;
    aarch64-unknown-linux-musl)
        # Fully static, with zig's musl (Debian has no aarch64 musl cross compiler).
        # RustPython has no ctypes (no libffi) on musl. qemu-user runs its outputs here
        # (static: no target root needed), binutils strips them (tests).
        pip="ziglang cargo-zigbuild"
        apt="qemu-user-static binutils-aarch64-linux-gnu"
        tools="qemu-aarch64-static aarch64-linux-gnu-strip"
        cargo=zigbuild
        cc=zig ar=zig zig_cc_target="aarch64-linux-musl"
        runner="qemu-aarch64-static"
        ;;
    x86_64-pc-windows-gnu)
        apt="gcc-mingw-w64-x86-64 wine" tools="x86_64-w64-mingw32-gcc wine"
        cc=x86_64-w64-mingw32-gcc ar=x86_64-w64-mingw32-ar linker=x86_64-w64-mingw32-gcc
        ffi_host=x86_64-w64-mingw32
        runner=wine
        ;;
    aarch64-apple-darwin | x86_64-apple-darwin)
        pip="ziglang cargo-zigbuild"
        cargo=zigbuild
        local arch=${1%%-*}
        # Without a deployment target zig assumes the newest macOS; these are Rust's own
        # minimums for each architecture.
        local min=11.0
        [ "$arch" = x86_64 ] && min=10.12
        env="MACOSX_DEPLOYMENT_TARGET=$min"
        cc=zig ar=zig zig_cc_target="$arch-macos.$min"
        ffi_host=$arch-apple-darwin
        # zig ships no macOS frameworks: text stubs (.tbd) of the CoreFoundation,
        # SystemConfiguration and Security symbols the VM and `ssl` (the OS certificate
        # store) use stand in for them at link time (cross/macos/make-tbd.py). Room
        # after the load commands for the payload's segment command (freeze checks it).
        rustflags="-L framework=$CROSS_DIR/macos -C link-arg=-Wl,-headerpad,0x1000"
        runner=none
        ;;
    *)
        return 1
        ;;
    esac
}
