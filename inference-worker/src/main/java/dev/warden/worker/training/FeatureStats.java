package dev.warden.worker.training;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Constants of the in-graph preprocessing, computed from the train split only: mean and
 * standard deviation of each numeric column (after log1p for the heavy-tailed ones) and
 * the sorted vocabulary of each categorical column.
 */
record FeatureStats(Map<String, float[]> meanAndStd, Map<String, String[]> vocabularies) {

	static FeatureStats fit(AdultDataset train) {
		Map<String, float[]> moments = new LinkedHashMap<>();
		train.numeric().forEach((name, values) -> {
			boolean log = IncomeSchema.LOG_COLUMNS.contains(name);
			double sum = 0;
			double sumSq = 0;
			for (float v : values) {
				double x = log ? Math.log1p(Math.max(v, 0f)) : v;
				sum += x;
				sumSq += x * x;
			}
			double mean = sum / values.length;
			double std = Math.sqrt(Math.max(sumSq / values.length - mean * mean, 0));
			moments.put(name, new float[] { (float) mean, (float) Math.max(std, 1e-6) });
		});
		Map<String, String[]> vocab = new LinkedHashMap<>();
		train.categorical().forEach((name, values) -> {
			TreeSet<String> distinct = new TreeSet<>(Arrays.asList(values));
			distinct.remove("");
			vocab.put(name, distinct.toArray(String[]::new));
		});
		return new FeatureStats(moments, vocab);
	}

	/**
	 * Width of the feature vector: one per numeric column, vocabulary + 1 (out of
	 * vocabulary) per categorical one.
	 */
	int featureCount() {
		int count = meanAndStd.size();
		for (String[] vocabulary : vocabularies.values()) {
			count += vocabulary.length + 1;
		}
		return count;
	}

}
