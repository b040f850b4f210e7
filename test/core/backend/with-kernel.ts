import * as tf from '@tensorflow/tfjs';

/**
 * Runs `f` with `config` registered in place of its backend's kernel of the same name, then
 * registers `restore` (the kernel that was there) again.
 */
export function withKernel<T>(config: tf.KernelConfig, restore: tf.KernelConfig, f: () => T): T {
  const { kernelName, backendName } = config;
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel(config);
  try {
    return f();
  } finally {
    tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel(restore);
  }
}
