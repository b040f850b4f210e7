// Pointer arithmetic and block moves on TF.js's wasm memory, shared by encdec's AssemblyScript
// kernels (compiled into each module that imports them).

export function at(base: usize, floats: i32): usize {
  return base + ((<usize>floats) << 2);
}

export function copy(to: usize, from: usize, floats: i32): void {
  memory.copy(to, from, (<usize>floats) << 2);
}

export function zero(to: usize, floats: i32): void {
  memory.fill(to, 0, (<usize>floats) << 2);
}
