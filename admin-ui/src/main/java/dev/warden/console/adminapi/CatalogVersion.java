package dev.warden.console.adminapi;

/**
 * A model version with what the upload recorded: the serving part as
 * {@link ModelVersion}, and the archive's digest and size, who uploaded it and when
 * ({@code null} for a version that was not uploaded through the admin API).
 *
 * @param version state, serving and signatures
 * @param sha256 the SHA-256 of the archive as received, or {@code null}
 * @param sizeBytes the archive's size in bytes, or {@code null}
 * @param uploadedBy who uploaded it, or {@code null}
 * @param uploadedAt when, or {@code null}
 */
public record CatalogVersion(ModelVersion version, String sha256, Long sizeBytes, String uploadedBy,
		String uploadedAt) {

	/** The version number. */
	public String number() {
		return this.version.version();
	}

	/**
	 * Whether the state will not change by itself: the worker has answered (loaded,
	 * failed, or in the store but not loaded) rather than still being asked.
	 */
	public boolean settled() {
		String state = this.version.state();
		if (state == null) {
			return false;
		}
		return switch (state) {
			case "UPLOADED", "START", "LOADING", "UNLOADING" -> false;
			default -> true;
		};
	}

	/** The size for a reader: bytes, KiB or MiB. */
	public String size() {
		if (this.sizeBytes == null) {
			return null;
		}
		long bytes = this.sizeBytes;
		if (bytes < 1024) {
			return bytes + " bytes";
		}
		if (bytes < 1024 * 1024) {
			return String.format(java.util.Locale.ROOT, "%.1f KiB (%d bytes)", bytes / 1024.0, bytes);
		}
		return String.format(java.util.Locale.ROOT, "%.1f MiB (%d bytes)", bytes / (1024.0 * 1024), bytes);
	}

}
