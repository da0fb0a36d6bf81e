package dev.warden.worker.explain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.warden.worker.loader.InputColumn;

/**
 * The text side of explanations: the texts of a batch, their tokens as the model's encode
 * signature gives them, and token attributions in text order with their spans in the
 * caller's text and their hash buckets.
 */
final class TextAttributions {

	private TextAttributions() {
	}

	static String[] texts(Map<String, InputColumn> instances, ExplainContract contract) {
		Object values = instances.get(contract.text().input()).values();
		if (values instanceof String[] strings) {
			return strings;
		}
		byte[][] bytes = (byte[][]) values;
		String[] texts = new String[bytes.length];
		for (int i = 0; i < texts.length; i++) {
			texts[i] = new String(bytes[i], java.nio.charset.StandardCharsets.UTF_8);
		}
		return texts;
	}

	/** The tokens of every text, their buckets and embeddings, in one encode call. */
	static EncodedTexts encode(ExplanationCall call, Map<String, InputColumn> instances, ExplainContract contract) {
		return call.servable().call(contract.encodeSignature(), instances, result -> {
			org.tensorflow.types.TString tokens = (org.tensorflow.types.TString) result.get(ExplainContract.TOKENS)
				.orElseThrow();
			List<String> words = new ArrayList<>((int) tokens.shape().size());
			tokens.scalars().forEach(s -> words.add(s.getObject()));
			long[] rows = longs(result, ExplainContract.TOKEN_ROWS);
			long[] buckets = longs(result, ExplainContract.TOKEN_BUCKETS);
			Outputs.Values embeddings = Outputs.read(result, ExplainContract.TOKEN_EMBEDDINGS);
			return new EncodedTexts(words, rows, buckets, embeddings.flat(), embeddings.perRow());
		});
	}

	private static long[] longs(org.tensorflow.Result result, String name) {
		org.tensorflow.types.TInt64 tensor = (org.tensorflow.types.TInt64) result.get(name).orElseThrow();
		long[] values = new long[(int) tensor.shape().size()];
		tensor.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(values, false, false));
		return values;
	}

	/** The encode signature's answer for a batch of texts, tokens flattened. */
	record EncodedTexts(List<String> words, long[] rows, long[] buckets, double[] embeddings, int dim) {

		EncodedText text(int row) {
			List<String> tokens = new ArrayList<>();
			List<Long> ids = new ArrayList<>();
			List<Integer> positions = new ArrayList<>();
			for (int k = 0; k < rows.length; k++) {
				if (rows[k] == row) {
					tokens.add(words.get(k));
					ids.add(buckets[k]);
					positions.add(k);
				}
			}
			float[] vectors = new float[positions.size() * dim];
			for (int t = 0; t < positions.size(); t++) {
				for (int d = 0; d < dim; d++) {
					vectors[t * dim + d] = (float) embeddings[positions.get(t) * dim + d];
				}
			}
			return new EncodedText(tokens, ids.stream().mapToLong(Long::longValue).toArray(), vectors);
		}

	}

	/** One text as the model reads it: its tokens, their buckets and embeddings. */
	record EncodedText(List<String> tokens, long[] buckets, float[] embeddings) {
	}

	/**
	 * Token attributions in text order: the token, its span in the caller's text, its
	 * hash bucket and whether another token of the text shares it.
	 */
	static void put(Map<String, Object> json, String original, EncodedText text, double[] attributions,
			ExplainContract contract) {
		List<TextTokens.Span> spans = ExplainContract.WARDEN_TEXT_TOKENIZER.equals(contract.text().tokenizer())
				? TextTokens.locate(original, text.tokens(), contract.text().maxChars(), contract.text().maxTokens())
				: null;
		Map<Long, Set<String>> byBucket = new HashMap<>();
		for (int t = 0; t < text.tokens().size(); t++) {
			byBucket.computeIfAbsent(text.buckets()[t], k -> new LinkedHashSet<>()).add(text.tokens().get(t));
		}
		List<Object> tokens = new ArrayList<>();
		for (int t = 0; t < text.tokens().size(); t++) {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("token", text.tokens().get(t));
			entry.put("start", spans == null ? null : spans.get(t).start());
			entry.put("end", spans == null ? null : spans.get(t).end());
			entry.put("bucket", text.buckets()[t]);
			Set<String> sharing = byBucket.get(text.buckets()[t]);
			entry.put("shared_bucket", sharing.size() > 1);
			if (sharing.size() > 1) {
				List<String> others = new ArrayList<>(sharing);
				others.remove(text.tokens().get(t));
				entry.put("shares_bucket_with", others);
			}
			entry.put("attribution", attributions[t]);
			tokens.add(entry);
		}
		json.put("attributions", tokens);
		json.put("offsets", spans == null ? "unavailable" : "utf16");
		boolean truncated = original.codePointCount(0, original.length()) > contract.text().maxChars() || (spans != null
				&& TextTokens.tokenize(original, contract.text().maxChars(), contract.text().maxTokens() + 1)
					.size() > contract.text().maxTokens());
		json.put("truncated", truncated);
	}

}
