package dev.warden.platform.model.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The archives of the model store as objects in one S3-compatible bucket, with AWS SDK
 * for Java v2 over Apache HttpClient (connect and read timeouts bounded; no asynchronous
 * client, no CRT). Keys are content-addressed:
 * {@code <prefix>/<model>/<version>/<sha256>.zip}. Uploads stream from a file of known
 * length, downloads are streams: neither holds an archive in memory. Credentials are
 * either given or taken from the SDK's default chain, and never logged. Thread-safe.
 */
public final class S3ArchiveStore implements AutoCloseable {

	private final S3Client client;

	private final String bucket;

	private final String prefix;

	/**
	 * @param client the client (closed with this store)
	 * @param bucket the bucket
	 * @param prefix the key prefix without leading or trailing slashes, empty for none
	 */
	public S3ArchiveStore(S3Client client, String bucket, String prefix) {
		this.client = client;
		this.bucket = bucket;
		this.prefix = prefix;
	}

	/**
	 * A client for {@code endpoint} (empty: AWS S3) in {@code region} (empty: the SDK's
	 * region chain, or {@code us-east-1} with an endpoint), with the given key pair or
	 * (both empty) the SDK's default credentials chain. Checksums are computed and
	 * validated only where an operation requires them, which S3-compatible servers
	 * understand; the archive's own SHA-256 is checked by whoever reads it.
	 */
	public static S3Client client(String endpoint, String region, boolean pathStyle, String accessKeyId,
			String secretAccessKey, Duration connectTimeout, Duration readTimeout) {
		AwsCredentialsProvider credentials = accessKeyId.isBlank() ? DefaultCredentialsProvider.builder().build()
				: StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey));
		S3ClientBuilder builder = S3Client.builder()
			.httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(connectTimeout).socketTimeout(readTimeout))
			.credentialsProvider(credentials)
			.region(region(region, !endpoint.isBlank()))
			.forcePathStyle(pathStyle)
			.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
			.responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
		if (!endpoint.isBlank()) {
			builder.endpointOverride(URI.create(endpoint.strip()));
		}
		return builder.build();
	}

	private static Region region(String region, boolean withEndpoint) {
		if (!region.isBlank()) {
			return Region.of(region.strip());
		}
		try {
			return new DefaultAwsRegionProviderChain().getRegion();
		}
		catch (SdkException ex) {
			if (withEndpoint) {
				return Region.US_EAST_1;
			}
			throw new IllegalStateException("no region for the model store's S3 bucket: set warden.models.s3.region "
					+ "(WARDEN_MODEL_S3_REGION) or AWS_REGION", ex);
		}
	}

	public String bucket() {
		return this.bucket;
	}

	/** The key of a version's archive. */
	public String key(String model, long version, String sha256) {
		String key = model + "/" + version + "/" + sha256 + ".zip";
		return this.prefix.isEmpty() ? key : this.prefix + "/" + key;
	}

	/**
	 * Checks that the bucket exists and is reachable with these credentials; creates it
	 * when it does not exist and {@code create} is set.
	 * @throws IllegalStateException naming the bucket and what went wrong
	 */
	public void checkBucket(boolean create) {
		try {
			this.client.headBucket((head) -> head.bucket(this.bucket));
		}
		catch (NoSuchBucketException ex) {
			if (!create) {
				throw new IllegalStateException("the model store's bucket '" + this.bucket
						+ "' does not exist (create it, or set warden.models.s3.create-bucket=true)", ex);
			}
			try {
				this.client.createBucket((bucket) -> bucket.bucket(this.bucket));
			}
			catch (SdkException createFailed) {
				throw new IllegalStateException("the model store's bucket '" + this.bucket
						+ "' does not exist and could not be created: " + describe(createFailed), createFailed);
			}
		}
		catch (SdkException ex) {
			throw new IllegalStateException(
					"the model store's bucket '" + this.bucket + "' cannot be reached: " + describe(ex), ex);
		}
	}

	/**
	 * Uploads {@code file} ({@code size} bytes) under {@code key}, streamed with its
	 * length; the archive's SHA-256 goes along as user metadata.
	 */
	public void put(String key, Path file, long size, String sha256) {
		this.client.putObject((put) -> put.bucket(this.bucket)
			.key(key)
			.contentLength(size)
			.contentType("application/zip")
			.metadata(Map.of("sha256", sha256)), RequestBody.fromFile(file));
	}

	/**
	 * Opens the object under {@code key} as a stream (the caller closes it).
	 * @throws ArchiveUnavailableException if the object is missing, has another length
	 * than {@code expectedSize}, or the service cannot be reached
	 */
	public InputStream open(String key, long expectedSize) throws ArchiveUnavailableException {
		ResponseInputStream<GetObjectResponse> object;
		try {
			object = this.client.getObject((get) -> get.bucket(this.bucket).key(key));
		}
		catch (NoSuchKeyException ex) {
			throw new ArchiveUnavailableException(true, "object " + key + " is missing from bucket " + this.bucket);
		}
		catch (SdkException ex) {
			throw new ArchiveUnavailableException(false,
					"object " + key + " of bucket " + this.bucket + " cannot be read: " + describe(ex));
		}
		Long length = object.response().contentLength();
		if (length != null && length != expectedSize) {
			object.abort();
			throw new ArchiveUnavailableException(true, "object " + key + " of bucket " + this.bucket + " has " + length
					+ " bytes where the model store recorded " + expectedSize);
		}
		return new AbortingStream(object);
	}

	/** Whether an object exists under {@code key}. */
	public boolean exists(String key) {
		try {
			this.client.headObject((head) -> head.bucket(this.bucket).key(key));
			return true;
		}
		catch (NoSuchKeyException ex) {
			return false;
		}
		catch (S3Exception ex) {
			if (ex.statusCode() == 404) {
				return false;
			}
			throw ex;
		}
	}

	/** Deletes the object under {@code key} (nothing if there is none). */
	public void delete(String key) {
		this.client.deleteObject((delete) -> delete.bucket(this.bucket).key(key));
	}

	@Override
	public void close() {
		this.client.close();
	}

	/** An SDK error in one line, without request details that could carry credentials. */
	static String describe(SdkException ex) {
		if (ex instanceof S3Exception s3) {
			String code = (s3.awsErrorDetails() != null) ? s3.awsErrorDetails().errorCode() : null;
			return "HTTP " + s3.statusCode() + ((code != null) ? " " + code : "");
		}
		return String.valueOf(ex.getMessage());
	}

	/**
	 * An object's stream that, closed before its end (a reader gone, an integrity
	 * failure), aborts the connection instead of reading the rest of the object.
	 */
	private static final class AbortingStream extends FilterInputStream {

		private final ResponseInputStream<GetObjectResponse> object;

		private boolean ended;

		AbortingStream(ResponseInputStream<GetObjectResponse> object) {
			super(object);
			this.object = object;
		}

		@Override
		public int read() throws IOException {
			int b = super.read();
			this.ended |= b < 0;
			return b;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			int n = super.read(buffer, offset, length);
			this.ended |= n < 0;
			return n;
		}

		@Override
		public void close() throws IOException {
			if (!this.ended) {
				this.object.abort();
			}
			super.close();
		}

	}

	/**
	 * A version's archive cannot be read from the bucket.
	 */
	public static final class ArchiveUnavailableException extends IOException {

		private final boolean invalid;

		public ArchiveUnavailableException(boolean invalid, String message) {
			super(message);
			this.invalid = invalid;
		}

		/**
		 * True if the object is missing or not the recorded archive; false if the service
		 * could not be reached or answered an error.
		 */
		public boolean invalid() {
			return this.invalid;
		}

	}

}
