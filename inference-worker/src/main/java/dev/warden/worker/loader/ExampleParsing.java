package dev.warden.worker.loader;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Finds what a SavedModel parses out of its serialized {@code tf.Example} inputs: from
 * the tensor a signature input is bound to, the graph is followed forward (into the
 * functions that TF2 exports call) to the {@code ParseExample}, {@code ParseExampleV2}
 * and {@code ParseSingleExample} ops that read it, and their feature keys (constants),
 * value types, dense shapes and defaults make an {@link ExampleSchema}.
 *
 * <p>
 * Why: TensorFlow Serving's classify and regress signatures (Estimator exports, TF2
 * exports of the same) take a batch of serialized examples. A warm-up call needs a valid
 * example, and a client's example can be checked against what the model will parse, with
 * a message naming the feature instead of TensorFlow's. Anything this walk does not
 * understand (keys computed at run time, parsing hidden behind control flow) simply
 * yields no schema: such inputs are then not warmed up and their requests are not checked
 * beyond TensorFlow's own checks.
 *
 * <p>
 * Stateless; reads only the MetaGraphDef.
 */
final class ExampleParsing {

	/**
	 * The parse ops understood, all of which take the serialized examples as their first
	 * input.
	 */
	private static final Set<String> PARSE_OPS = Set.of("ParseExample", "ParseExampleV2", "ParseSingleExample");

	/**
	 * Bounds the walk on very large graphs; example parsing sits within a few ops of the
	 * input.
	 */
	private static final int MAX_VISITED = 200_000;

	private final Scope graph;

	private final Map<String, FunctionDef> functions = new HashMap<>();

	private final Map<String, Scope> functionScopes = new HashMap<>();

	private ExampleParsing(GraphDef graphDef) {
		this.graph = new Scope(null, graphDef.getNodeList());
		graphDef.getLibrary().getFunctionList().forEach(f -> functions.put(f.getSignature().getName(), f));
	}

	/**
	 * The schema of every DT_STRING input among {@code inputs} that feeds example
	 * parsing, by the input's tensor name (several signatures may share one tensor).
	 */
	static Map<String, ExampleSchema> schemas(GraphDef graphDef, Iterable<TensorSpec> inputs) {
		ExampleParsing parsing = new ExampleParsing(graphDef);
		Map<String, ExampleSchema> schemas = new LinkedHashMap<>();
		for (TensorSpec input : inputs) {
			if (!"DT_STRING".equals(input.dtype()) || schemas.containsKey(input.tensorName())) {
				continue;
			}
			ExampleSchema schema = parsing.schemaOf(nodePart(input.tensorName()));
			if (schema != null) {
				schemas.put(input.tensorName(), schema);
			}
		}
		return schemas;
	}

	/**
	 * The merged schema of every parse op reached from {@code node}; null if none is
	 * reached or understood.
	 */
	private ExampleSchema schemaOf(String node) {
		ExampleSchema merged = null;
		for (Reached parse : parseOpsReachedFrom(node)) {
			ExampleSchema schema = schema(parse.scope(), parse.name());
			if (schema == null) {
				return null;
			}
			merged = merged == null ? schema : merged.merge(schema);
		}
		return merged;
	}

	/**
	 * Breadth-first from {@code start}: the parse ops whose serialized-examples input is
	 * reached.
	 */
	private List<Reached> parseOpsReachedFrom(String start) {
		List<Reached> found = new ArrayList<>();
		Set<String> visited = new HashSet<>();
		Deque<Reached> queue = new ArrayDeque<>();
		queue.add(new Reached(graph, start));
		while (!queue.isEmpty() && visited.size() < MAX_VISITED) {
			Reached current = queue.poll();
			if (!visited.add(current.scope().id + "\u0000" + current.name())) {
				continue;
			}
			for (Consumer consumer : current.scope().consumers(current.name())) {
				NodeDef node = consumer.node();
				if (PARSE_OPS.contains(node.getOp())) {
					if (consumer.position() == 0) {
						found.add(new Reached(current.scope(), node.getName()));
					}
					continue;
				}
				String function = calledFunction(node);
				if (function != null) {
					Scope body = functionScope(function);
					if (body != null && consumer.position() < body.arguments.size()) {
						queue.add(new Reached(body, body.arguments.get(consumer.position())));
					}
				}
				queue.add(new Reached(current.scope(), node.getName()));
			}
		}
		return found;
	}

	/**
	 * The function a call node runs: {@code f} of (Stateful)PartitionedCall, or an op
	 * named after a function.
	 */
	private String calledFunction(NodeDef node) {
		AttrValue f = node.getAttrMap().get("f");
		if (f != null && f.hasFunc()) {
			return f.getFunc().getName();
		}
		return functions.containsKey(node.getOp()) ? node.getOp() : null;
	}

	private Scope functionScope(String name) {
		FunctionDef function = functions.get(name);
		if (function == null) {
			return null;
		}
		return functionScopes.computeIfAbsent(name, key -> {
			Scope scope = new Scope(key, function.getNodeDefList());
			function.getSignature().getInputArgList().forEach(arg -> scope.arguments.add(arg.getName()));
			return scope;
		});
	}

	/**
	 * The features one parse op declares, or null when its keys are not constants of the
	 * graph.
	 */
	private static ExampleSchema schema(Scope scope, String nodeName) {
		NodeDef node = scope.nodes.get(nodeName);
		List<String> inputs = node.getInputList().stream().filter(input -> !input.startsWith("^")).toList();
		Map<String, AttrValue> attrs = node.getAttrMap();
		List<String> denseKeys;
		List<String> sparseKeys;
		List<String> raggedKeys = List.of();
		List<String> defaults;
		List<org.tensorflow.proto.DataType> sparseTypes = types(attrs, "sparse_types");
		List<org.tensorflow.proto.DataType> raggedTypes = types(attrs, "ragged_value_types");
		switch (node.getOp()) {
			case "ParseExample" -> {
				int sparse = (int) attrs.get("Nsparse").getI();
				int dense = (int) attrs.get("Ndense").getI();
				sparseKeys = new ArrayList<>();
				for (int i = 0; i < sparse; i++) {
					List<String> key = scope.constantStrings(inputs.get(2 + i));
					if (key == null || key.size() != 1) {
						return null;
					}
					sparseKeys.add(key.get(0));
				}
				denseKeys = new ArrayList<>();
				for (int i = 0; i < dense; i++) {
					List<String> key = scope.constantStrings(inputs.get(2 + sparse + i));
					if (key == null || key.size() != 1) {
						return null;
					}
					denseKeys.add(key.get(0));
				}
				defaults = inputs.subList(2 + sparse + dense, inputs.size());
			}
			case "ParseExampleV2" -> {
				sparseKeys = scope.constantStrings(inputs.get(2));
				denseKeys = scope.constantStrings(inputs.get(3));
				raggedKeys = scope.constantStrings(inputs.get(4));
				if (sparseKeys == null || denseKeys == null || raggedKeys == null) {
					return null;
				}
				defaults = inputs.subList(5, inputs.size());
			}
			default -> {
				denseKeys = strings(attrs.get("dense_keys"));
				sparseKeys = strings(attrs.get("sparse_keys"));
				defaults = inputs.subList(1, inputs.size());
			}
		}
		List<org.tensorflow.proto.DataType> denseTypes = types(attrs, "Tdense");
		List<TensorShapeProto> denseShapes = attrs.containsKey("dense_shapes")
				? attrs.get("dense_shapes").getList().getShapeList() : List.of();
		if (denseTypes.size() != denseKeys.size() || denseShapes.size() != denseKeys.size()
				|| defaults.size() != denseKeys.size() || sparseTypes.size() != sparseKeys.size()
				|| raggedTypes.size() != raggedKeys.size()) {
			return null;
		}
		Map<String, ExampleSchema.FeatureSpec> features = new LinkedHashMap<>();
		for (int i = 0; i < denseKeys.size(); i++) {
			ExampleSchema.Kind kind = ExampleSchema.Kind.of(denseTypes.get(i).name());
			TensorShapeProto shape = denseShapes.get(i);
			if (kind == null || shape.getUnknownRank()) {
				return null;
			}
			long[] dims = shape.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
			boolean required = scope.isEmptyConstant(defaults.get(i));
			features.putIfAbsent(denseKeys.get(i),
					new ExampleSchema.FeatureSpec(denseKeys.get(i), kind, dims, required));
		}
		for (int i = 0; i < sparseKeys.size(); i++) {
			putOptional(features, sparseKeys.get(i), sparseTypes.get(i));
		}
		for (int i = 0; i < raggedKeys.size(); i++) {
			putOptional(features, raggedKeys.get(i), raggedTypes.get(i));
		}
		return new ExampleSchema(features);
	}

	private static void putOptional(Map<String, ExampleSchema.FeatureSpec> features, String name,
			org.tensorflow.proto.DataType type) {
		ExampleSchema.Kind kind = ExampleSchema.Kind.of(type.name());
		if (kind != null) {
			features.putIfAbsent(name, new ExampleSchema.FeatureSpec(name, kind, null, false));
		}
	}

	private static List<org.tensorflow.proto.DataType> types(Map<String, AttrValue> attrs, String name) {
		AttrValue value = attrs.get(name);
		return value == null ? List.of() : value.getList().getTypeList();
	}

	private static List<String> strings(AttrValue value) {
		return value == null ? List.of() : value.getList().getSList().stream().map(s -> s.toStringUtf8()).toList();
	}

	/**
	 * {@code name}, {@code name:1} (graph) or {@code name:output:0} (function body) →
	 * {@code name}.
	 */
	static String nodePart(String reference) {
		String name = reference.startsWith("^") ? reference.substring(1) : reference;
		int colon = name.indexOf(':');
		return colon < 0 ? name : name.substring(0, colon);
	}

	/** A node (or function argument) reached in a scope. */
	private record Reached(Scope scope, String name) {
	}

	/** A node consuming a tensor, and at which of its data inputs. */
	private record Consumer(NodeDef node, int position) {
	}

	/**
	 * The graph or one function body: nodes by name and, built on first use, the
	 * consumers of each name.
	 */
	private static final class Scope {

		final String id;

		final Map<String, NodeDef> nodes = new HashMap<>();

		final List<String> arguments = new ArrayList<>();

		private Map<String, List<Consumer>> consumers;

		private final List<NodeDef> nodeList;

		Scope(String function, List<NodeDef> nodeList) {
			this.id = function == null ? "" : "f:" + function;
			this.nodeList = nodeList;
			nodeList.forEach(node -> nodes.put(node.getName(), node));
		}

		List<Consumer> consumers(String name) {
			if (consumers == null) {
				consumers = new HashMap<>();
				for (NodeDef node : nodeList) {
					int position = 0;
					for (String input : node.getInputList()) {
						if (input.startsWith("^")) {
							continue;
						}
						consumers.computeIfAbsent(nodePart(input), key -> new ArrayList<>())
							.add(new Consumer(node, position++));
					}
				}
			}
			return consumers.getOrDefault(name, List.of());
		}

		/**
		 * The strings of a constant input (looking through Identity ops), or null if it
		 * is not a constant.
		 */
		List<String> constantStrings(String reference) {
			TensorProto value = constant(reference);
			if (value == null) {
				return null;
			}
			return value.getStringValList().stream().map(s -> s.toStringUtf8()).toList();
		}

		/**
		 * True when the input is a constant with no elements (a dense feature without
		 * default).
		 */
		boolean isEmptyConstant(String reference) {
			TensorProto value = constant(reference);
			return value != null && value.getTensorShape().getDimList().stream().anyMatch(dim -> dim.getSize() == 0);
		}

		private TensorProto constant(String reference) {
			NodeDef node = nodes.get(nodePart(reference));
			for (int hops = 0; node != null && hops < 8 && "Identity".equals(node.getOp()); hops++) {
				node = node.getInputCount() == 0 ? null : nodes.get(nodePart(node.getInput(0)));
			}
			if (node == null || !"Const".equals(node.getOp()) || !node.getAttrMap().containsKey("value")) {
				return null;
			}
			return node.getAttrMap().get("value").getTensor();
		}

	}

}
