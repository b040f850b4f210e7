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

// to [cols, rows] = from [rows, cols]^T, both row-major.
export function transpose(to: usize, from: usize, rows: i32, cols: i32): void {
  for (let k = 0; k < rows; k++) {
    for (let j = 0; j < cols; j++) {
      store<f32>(at(to, j * rows + k), load<f32>(at(from, k * cols + j)));
    }
  }
}

// `rows` rows of `floats` each from `from` (rows `fromStride` floats apart) to `to`, contiguous.
export function copyRows(to: usize, from: usize, fromStride: i32, rows: i32, floats: i32): void {
  for (let r = 0; r < rows; r++) copy(at(to, r * floats), at(from, r * fromStride), floats);
}
