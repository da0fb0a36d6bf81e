package dev.warden.worker.loader;

/**
 * Settings of JavaCPP (the native bridge under TensorFlow Java) that must be in place
 * before its first class loads: applied first thing in the worker's entry points.
 *
 * <p>
 * Each time JavaCPP registers native memory for a pointer it may free on garbage
 * collection, it reads the process's resident size (from {@code /proc}, a system call)
 * under a process-wide lock, to call {@code System.gc()} once the process is larger than
 * {@code org.bytedeco.javacpp.maxPhysicalBytes}. TensorFlow Java registers such a pointer
 * for every element of every string tensor it creates (and for every other tensor), so
 * with that check on a batch of 64 {@code income} rows (8 string columns) spent ~1.8 ms
 * creating its string tensors, four times the ~0.4 ms without it (docs/benchmarks.md).
 * The worker closes every tensor it creates and every result it reads, so it does not
 * rely on garbage collection to free native memory, and the check is switched off
 * ({@code maxPhysicalBytes} 0) unless the command line sets it: for example
 * {@code -Dorg.bytedeco.javacpp.maxPhysicalBytes=8g} brings it back.
 */
public final class JavaCppSettings {

	/** The property JavaCPP reads once, when its {@code Pointer} class initialises. */
	public static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxPhysicalBytes";

	/** The lower-case spelling JavaCPP reads first. */
	static final String MAX_PHYSICAL_BYTES_LOWER_CASE = "org.bytedeco.javacpp.maxphysicalbytes";

	private JavaCppSettings() {
	}

	/**
	 * Sets {@value #MAX_PHYSICAL_BYTES} to 0 unless either spelling is already set. Has
	 * an effect only before JavaCPP's {@code Pointer} class initialises.
	 */
	public static void apply() {
		if (System.getProperty(MAX_PHYSICAL_BYTES_LOWER_CASE) == null
				&& System.getProperty(MAX_PHYSICAL_BYTES) == null) {
			System.setProperty(MAX_PHYSICAL_BYTES, "0");
		}
	}

}
