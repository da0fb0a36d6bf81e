package dev.warden.systemtest;

import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

/**
 * Copies the console screenshots the browser tests wrote into the documentation's image
 * directory, scaled down to at most {@value #MAX_WIDTH} pixels wide and kept under
 * {@value #MAX_BYTES} bytes (by scaling further when a PNG is still larger). JDK only, so
 * {@code system-tests/screenshots.sh} runs it as a single source file without a build:
 *
 * <pre>
 * java system-tests/src/test/java/dev/warden/systemtest/DocsScreenshots.java FROM TO NAME...
 * </pre>
 */
public final class DocsScreenshots {

	static final int MAX_WIDTH = 1000;

	static final int MAX_BYTES = 250 * 1024;

	private DocsScreenshots() {
	}

	public static void main(String[] args) throws IOException {
		if (args.length < 3) {
			System.err.println("usage: DocsScreenshots FROM-DIRECTORY TO-DIRECTORY NAME.png...");
			System.exit(2);
		}
		Path from = Path.of(args[0]);
		Path to = Path.of(args[1]);
		Files.createDirectories(to);
		int missing = 0;
		for (String name : List.of(args).subList(2, args.length)) {
			Path source = from.resolve(name);
			if (!Files.isRegularFile(source)) {
				System.err.println("missing: " + source + " (run the browser tests first)");
				missing++;
				continue;
			}
			byte[] png = shrink(ImageIO.read(source.toFile()));
			Files.write(to.resolve(name), png);
			System.out.printf("%s: %d KB%n", to.resolve(name), png.length / 1024);
		}
		try (Stream<Path> files = Files.list(to)) {
			long total = files.mapToLong((file) -> {
				try {
					return Files.size(file);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}).sum();
			System.out.printf("%s: %d KB in all%n", to, total / 1024);
		}
		System.exit((missing > 0) ? 1 : 0);
	}

	/** The image at most MAX_WIDTH wide, as a PNG of at most MAX_BYTES. */
	static byte[] shrink(BufferedImage image) throws IOException {
		int width = Math.min(MAX_WIDTH, image.getWidth());
		while (true) {
			byte[] png = png(scaled(image, width));
			if (png.length <= MAX_BYTES || width <= 200) {
				return png;
			}
			width = width * 9 / 10;
		}
	}

	private static BufferedImage scaled(BufferedImage image, int width) {
		if (width == image.getWidth()) {
			return image;
		}
		int height = (int) Math.round((double) image.getHeight() * width / image.getWidth());
		var scaled = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
		var graphics = scaled.createGraphics();
		try {
			graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
			graphics.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
			graphics.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
			graphics.drawImage(image, 0, 0, width, height, null);
		}
		finally {
			graphics.dispose();
		}
		return scaled;
	}

	private static byte[] png(BufferedImage image) throws IOException {
		var out = new ByteArrayOutputStream();
		ImageIO.write(image, "png", out);
		return out.toByteArray();
	}

}
