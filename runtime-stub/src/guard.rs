//! Routing of file-system calls between the real file system and the virtual one.
//!
//! A `PathGuard` stands in for a native function of `posix`/`nt`/`_io` (`stat`, `open`,
//! `listdir`, …). A call whose path argument lies under the virtual root goes to the
//! virtual implementation (runtime-stub/src/vfs.py); every other call goes to the native
//! function with its arguments untouched. The check is a byte-prefix comparison done
//! here, so calls on real paths cost one native call more and no Python frame.

use std::sync::OnceLock;

use rustpython_vm::{
    Context, Py, PyResult, VirtualMachine,
    builtins::{PyModule, PyModuleDef, PyModuleSlots},
};

/// The virtual root: the executable's own path, used as a directory.
static ROOT: OnceLock<String> = OnceLock::new();

/// Set the virtual root once, before the interpreter starts.
pub fn set_root(root: String) {
    let _ = ROOT.set(root);
}

/// The virtual root ("" before it is set: then nothing is under it).
pub fn root() -> &'static str {
    ROOT.get().map_or("", String::as_str)
}

/// Where a path lies relative to the virtual root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Outside,
    /// The root itself: also the executable file.
    Root,
    /// Strictly below the root (or the root written with a trailing separator).
    Inside,
}

fn is_sep(byte: u8) -> bool {
    byte == b'/' || (cfg!(windows) && byte == b'\\')
}

fn same_byte(a: u8, b: u8) -> bool {
    if cfg!(windows) {
        a.eq_ignore_ascii_case(&b) || (is_sep(a) && is_sep(b))
    } else {
        a == b
    }
}

/// Where `path` (encoded as the file system encodes it) lies relative to `root`.
pub fn place(path: &[u8], root: &str) -> Place {
    let root = root.as_bytes();
    if root.is_empty() || path.len() < root.len() {
        return Place::Outside;
    }
    let (head, rest) = path.split_at(root.len());
    if !head.iter().zip(root).all(|(&a, &b)| same_byte(a, b)) {
        return Place::Outside;
    }
    match rest.first() {
        None => Place::Root,
        Some(&byte) if is_sep(byte) => Place::Inside,
        Some(_) => Place::Outside,
    }
}

/// One native function replaced by a guard: its name in posix/nt (or _io), the function
/// of runtime-stub/src/vfs.py that serves it under the root, which arguments are paths
/// (`(position, keyword)`), and whether the root path itself is a directory to it.
pub(crate) struct Hook {
    name: &'static str,
    handler: &'static str,
    params: &'static [(usize, &'static str)],
    listing: bool,
}

const PATH: &[(usize, &str)] = &[(0, "path")];
const SRC_DST: &[(usize, &str)] = &[(0, "src"), (1, "dst")];
const DST: &[(usize, &str)] = &[(1, "dst")];

const fn hook(
    name: &'static str,
    handler: &'static str,
    params: &'static [(usize, &'static str)],
) -> Hook {
    Hook {
        name,
        handler,
        params,
        listing: false,
    }
}

/// posix (nt on Windows). A name the platform lacks is skipped.
const OS_HOOKS: &[Hook] = &[
    hook("stat", "stat", PATH),
    hook("lstat", "lstat", PATH),
    hook("access", "access", PATH),
    Hook {
        listing: true,
        ..hook("listdir", "listdir", PATH)
    },
    Hook {
        listing: true,
        ..hook("scandir", "scandir", PATH)
    },
    hook("readlink", "readlink", PATH),
    hook("open", "os_open", PATH),
    hook("remove", "change", PATH),
    hook("unlink", "change", PATH),
    hook("rmdir", "change", PATH),
    hook("chmod", "change", PATH),
    hook("lchmod", "change", PATH),
    hook("chown", "change", PATH),
    hook("lchown", "change", PATH),
    hook("chflags", "change", PATH),
    hook("lchflags", "change", PATH),
    hook("utime", "change", PATH),
    hook("truncate", "change", PATH),
    hook("setxattr", "change", PATH),
    hook("removexattr", "change", PATH),
    hook("rename", "rename", SRC_DST),
    hook("replace", "rename", SRC_DST),
    hook("mkdir", "create", PATH),
    hook("mkfifo", "create", PATH),
    hook("mknod", "create", PATH),
    hook("link", "link", DST),
    hook("symlink", "link", DST),
    // Windows: ntpath binds these natively for isdir, isfile, exists, …
    hook("_path_isdir", "path_isdir", PATH),
    hook("_path_isfile", "path_isfile", PATH),
    hook("_path_exists", "path_exists", PATH),
    hook("_path_lexists", "path_exists", PATH),
    hook("_path_islink", "path_isfalse", PATH),
    hook("_path_isjunction", "path_isfalse", PATH),
];

/// _io (`builtins.open` is `_io.open`).
const IO_HOOKS: &[Hook] = &[
    hook("open", "open", &[(0, "file")]),
    hook("open_code", "open_code", PATH),
];

type ModuleExec = fn(&VirtualMachine, &Py<PyModule>) -> PyResult<()>;

/// The native `exec` slots of posix/nt and _io, run before their guards are installed.
static OS_EXEC: OnceLock<Option<ModuleExec>> = OnceLock::new();
static IO_EXEC: OnceLock<Option<ModuleExec>> = OnceLock::new();

fn exec_os(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
    if let Some(Some(exec)) = OS_EXEC.get() {
        exec(vm, module)?;
    }
    guard::install(vm, module, OS_HOOKS)
}

fn exec_io(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
    if let Some(Some(exec)) = IO_EXEC.get() {
        exec(vm, module)?;
    }
    guard::install(vm, module, IO_HOOKS)
}

/// Definitions of posix (nt on Windows) and _io that install the guards when the module
/// is initialised: `_io` while the VM starts (before `builtins.open` is taken from it),
/// posix when first imported (by `os`), so a program that never imports `os` does not
/// pay for initialising posix. Registered after the VM's own definitions, they win.
pub fn guarded_module_defs(ctx: &Context) -> Vec<&'static PyModuleDef> {
    rustpython_vm::stdlib::builtin_module_defs(ctx)
        .into_iter()
        .filter_map(|def| {
            let (saved, exec): (_, ModuleExec) = match def.name.as_str() {
                "posix" | "nt" => (&OS_EXEC, exec_os),
                "_io" => (&IO_EXEC, exec_io),
                _ => return None,
            };
            let _ = saved.set(def.slots.exec);
            let guarded: &'static PyModuleDef = Box::leak(Box::new(PyModuleDef {
                name: def.name,
                doc: def.doc,
                methods: def.methods,
                slots: PyModuleSlots {
                    create: def.slots.create,
                    exec: Some(exec),
                },
            }));
            Some(guarded)
        })
        .collect()
}

/// The file system functions of the virtual root, compiled when the stub is built.
fn vfs_code() -> rustpython_vm::frozen::FrozenCodeObject<&'static [u8]> {
    rustpython_vm::py_compile!(file = "vfs.py", module_name = "<freeze vfs>")
}
/// The compiler macro does not tell cargo about the file; this does, so an edit rebuilds.
const _VFS_SOURCE: &str = include_str!("vfs.py");

#[rustpython_vm::pymodule(sub, name = "_freeze")]
pub(crate) mod guard {
    use super::{Hook, Place, place, root, vfs_code};
    use rustpython_vm::{
        AsObject, Py, PyObjectRef, PyPayload, PyResult, Traverse, VirtualMachine,
        builtins::{PyCode, PyInt, PyModule, PyStr, PyStrRef},
        class::PyClassImpl,
        function::{FsPath, FuncArgs},
        pyclass,
        scope::Scope,
        types::{Callable, GetAttr, Representable},
    };

    /// Stands in for a native file function: calls on paths under the virtual root go
    /// to the handler of the same role in the `_freeze_vfs` module, all others to the
    /// native function. Made when posix/nt and _io are initialised.
    #[pyattr]
    #[pyclass(name = "PathGuard", module = "_freeze", traverse)]
    #[derive(Debug, PyPayload)]
    pub struct PathGuard {
        native: PyObjectRef,
        #[pytraverse(skip)]
        hook: &'static Hook,
    }

    impl std::fmt::Debug for Hook {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "Hook({})", self.name)
        }
    }

    /// Where a path argument lies; anything but str, bytes and os.PathLike is Outside
    /// (the native function raises the TypeError).
    fn place_of(arg: &PyObjectRef, vm: &VirtualMachine) -> Place {
        if let Some(s) = arg.downcast_ref::<PyStr>() {
            return place(s.as_bytes(), root());
        }
        if arg.downcast_ref::<PyInt>().is_some() {
            return Place::Outside;
        }
        match FsPath::try_from_path_like(arg.clone(), false, vm) {
            Ok(path) => place(path.as_bytes(), root()),
            Err(_) => Place::Outside,
        }
    }

    /// Whether a path is the virtual root or lies under it.
    #[pyfunction]
    fn under_root(path: PyObjectRef, vm: &VirtualMachine) -> bool {
        place_of(&path, vm) != Place::Outside
    }

    /// The `_freeze_vfs` module, run the first time it is needed.
    #[pyfunction]
    pub(crate) fn vfs(vm: &VirtualMachine) -> PyResult {
        let modules = vm.sys_module.get_attr("modules", vm)?;
        if let Ok(module) = modules.get_item("_freeze_vfs", vm) {
            return Ok(module);
        }
        let module = vm.new_module("_freeze_vfs", vm.ctx.new_dict(), None);
        modules.set_item("_freeze_vfs", module.clone().into(), vm)?;
        let code = PyCode::new_ref_from_frozen(vm, vfs_code());
        if let Err(err) = vm.run_code_obj(code, Scope::with_builtins(None, module.dict(), vm)) {
            let _ = modules.del_item("_freeze_vfs", vm);
            return Err(err);
        }
        Ok(module.into())
    }

    /// Put a guard in place of each native function of `module` that `hooks` names.
    pub(crate) fn install(
        vm: &VirtualMachine,
        module: &Py<PyModule>,
        hooks: &'static [Hook],
    ) -> PyResult<()> {
        let _ = PathGuard::make_static_type();
        for hook in hooks {
            let Ok(native) = module.as_object().get_attr(hook.name, vm) else {
                continue;
            };
            let guard = PathGuard { native, hook }.into_ref(&vm.ctx);
            module.as_object().set_attr(hook.name, guard, vm)?;
        }
        Ok(())
    }

    impl PathGuard {
        fn touches_root(&self, args: &FuncArgs, vm: &VirtualMachine) -> bool {
            self.hook.params.iter().any(|(pos, name)| {
                let Some(arg) = args.args.get(*pos).or_else(|| args.kwargs.get(name)) else {
                    return false;
                };
                match place_of(arg, vm) {
                    Place::Outside => false,
                    Place::Root => self.hook.listing,
                    Place::Inside => true,
                }
            })
        }
    }

    #[pyclass(with(Callable, GetAttr, Representable), flags(DISALLOW_INSTANTIATION))]
    impl PathGuard {
        #[pygetset]
        fn __wrapped__(zelf: &Py<Self>) -> PyObjectRef {
            zelf.native.clone()
        }

        /// Pickled by name, as the native function is.
        #[pymethod]
        fn __reduce__(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult {
            zelf.native.get_attr("__name__", vm)
        }
    }

    impl Callable for PathGuard {
        type Args = FuncArgs;

        fn call(zelf: &Py<Self>, mut args: FuncArgs, vm: &VirtualMachine) -> PyResult {
            if !zelf.touches_root(&args, vm) {
                return zelf.native.call(args, vm);
            }
            let handler = vfs(vm)?.get_attr(zelf.hook.handler, vm)?;
            args.prepend_arg(zelf.native.clone());
            handler.call(args, vm)
        }
    }

    impl GetAttr for PathGuard {
        /// Name, qualname, module, doc and signature are the native function's.
        fn getattro(zelf: &Py<Self>, name: &Py<PyStr>, vm: &VirtualMachine) -> PyResult {
            const FORWARDED: [&str; 5] = [
                "__name__",
                "__qualname__",
                "__module__",
                "__doc__",
                "__text_signature__",
            ];
            if !name.to_str().is_some_and(|name| FORWARDED.contains(&name)) {
                if let Some(found) = zelf.as_object().generic_getattr_opt(name, None, vm)? {
                    return Ok(found);
                }
            }
            zelf.native.get_attr(name, vm)
        }
    }

    impl Representable for PathGuard {
        fn repr(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<PyStrRef> {
            zelf.native.repr(vm)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_is_a_prefix_check_on_whole_components() {
        let root = "/opt/app/tool";
        assert_eq!(place(b"/opt/app/tool", root), Place::Root);
        assert_eq!(place(b"/opt/app/tool/", root), Place::Inside);
        assert_eq!(place(b"/opt/app/tool/pkg/x.txt", root), Place::Inside);
        assert_eq!(place(b"/opt/app/tool2/x", root), Place::Outside);
        assert_eq!(place(b"/opt/app/too", root), Place::Outside);
        assert_eq!(place(b"relative/tool/x", root), Place::Outside);
        assert_eq!(place(b"/opt/app/tool/x", ""), Place::Outside);
    }

    #[cfg(windows)]
    #[test]
    fn windows_paths_ignore_case_and_separator_kind() {
        let root = r"C:\Apps\tool.exe";
        assert_eq!(place(br"c:\apps\TOOL.EXE\pkg", root), Place::Inside);
        assert_eq!(place(b"C:/Apps/tool.exe/pkg", root), Place::Inside);
    }
}
