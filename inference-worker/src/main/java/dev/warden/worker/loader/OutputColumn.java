package dev.warden.worker.loader;

import java.util.List;

/**
 * An output copied out of TensorFlow: one entry per row (batch dimension), each a boxed
 * scalar ({@code Float}, {@code Long}, {@code String}, ...) or, for outputs of rank &gt;
 * 1, nested lists.
 */
public record OutputColumn(String name, long[] shape, List<Object> rows) {

}
