//! Routing of file-system calls between the real file system and the virtual one.
//!
//! A `PathGuard` stands in for a native function of `posix`/`nt`/`_io` (`stat`, `open`,
//! `listdir`, …). A call whose path argument lies under the virtual root goes to the
//! virtual implementation (runtime-stub/src/vfs.py); every other call goes to the native
//! function with its arguments untouched. The check is a byte-prefix comparison done
//! here, so calls on real paths cost one native call more and no Python frame.

use std::sync::OnceLock;

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

#[rustpython_vm::pymodule(sub, name = "_freeze")]
pub(crate) mod guard {
    use super::{Place, place, root};
    use rustpython_vm::{
        AsObject, Py, PyObjectRef, PyPayload, PyResult, Traverse, TryFromObject, VirtualMachine,
        builtins::{PyInt, PyStr, PyStrRef, PyTupleRef, PyType},
        function::{FsPath, FuncArgs},
        pyclass,
        types::{Callable, Constructor, GetAttr, Representable},
    };

    /// `PathGuard(native, virtual, params, listing=False)`: calls `virtual` when one of
    /// the path arguments named in `params` (`(position, keyword)` pairs) lies under the
    /// virtual root, else `native`. With `listing`, the root path itself counts as
    /// virtual (it is the executable file for everything but a directory listing).
    #[pyattr]
    #[pyclass(name = "PathGuard", module = "_freeze", traverse)]
    #[derive(Debug, PyPayload)]
    pub struct PathGuard {
        native: PyObjectRef,
        virtual_: PyObjectRef,
        #[pytraverse(skip)]
        params: Vec<(usize, String)>,
        #[pytraverse(skip)]
        listing: bool,
    }

    #[derive(rustpython_vm::FromArgs)]
    pub struct GuardArgs {
        #[pyarg(positional)]
        native: PyObjectRef,
        #[pyarg(positional)]
        virtual_: PyObjectRef,
        #[pyarg(positional)]
        params: Vec<PyObjectRef>,
        #[pyarg(any, default)]
        listing: bool,
    }

    impl Constructor for PathGuard {
        type Args = GuardArgs;

        fn py_new(_cls: &Py<PyType>, args: GuardArgs, vm: &VirtualMachine) -> PyResult<Self> {
            let params = args
                .params
                .into_iter()
                .map(|param| {
                    let pair = PyTupleRef::try_from_object(vm, param)?;
                    let [pos, name] = pair.as_slice() else {
                        return Err(vm.new_type_error("params are (position, keyword) pairs"));
                    };
                    let pos = usize::try_from_object(vm, pos.clone())?;
                    Ok((
                        pos,
                        PyStrRef::try_from_object(vm, name.clone())?.to_string(),
                    ))
                })
                .collect::<PyResult<_>>()?;
            Ok(Self {
                native: args.native,
                virtual_: args.virtual_,
                params,
                listing: args.listing,
            })
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

    impl PathGuard {
        fn is_virtual(&self, arg: &PyObjectRef, vm: &VirtualMachine) -> bool {
            match place_of(arg, vm) {
                Place::Outside => false,
                Place::Root => self.listing,
                Place::Inside => true,
            }
        }

        fn touches_root(&self, args: &FuncArgs, vm: &VirtualMachine) -> bool {
            self.params.iter().any(|(pos, name)| {
                args.args
                    .get(*pos)
                    .or_else(|| args.kwargs.get(name))
                    .is_some_and(|arg| self.is_virtual(arg, vm))
            })
        }
    }

    #[pyclass(with(Callable, Constructor, GetAttr, Representable))]
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

        fn call(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
            if zelf.touches_root(&args, vm) {
                zelf.virtual_.call(args, vm)
            } else {
                zelf.native.call(args, vm)
            }
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
