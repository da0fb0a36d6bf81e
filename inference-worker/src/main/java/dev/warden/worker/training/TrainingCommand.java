package dev.warden.worker.training;

import java.io.PrintStream;

/**
 * Command line entry for training a reference model: {@code train income ...} or
 * {@code train spam ...}, each with {@code --store DIR [--steps N] [--seed S]}.
 * Dispatches to the model's command; an unknown model is a usage error (exit code 2).
 */
public final class TrainingCommand {

	static final String USAGE = "usage: train income|spam --store DIR [--steps N] [--seed S]";

	private TrainingCommand() {
	}

	/** Whether the arguments ask for a training run rather than the web server. */
	public static boolean matches(String[] args) {
		return args.length > 0 && "train".equals(args[0]);
	}

	public static int run(String[] args, PrintStream out, PrintStream err) {
		String model = args.length > 1 ? args[1] : "";
		return switch (model) {
			case IncomeSchema.MODEL_NAME -> IncomeTrainingCommand.run(args, out, err);
			case SpamSchema.MODEL_NAME -> SpamTrainingCommand.run(args, out, err);
			default -> {
				err.println(model.isEmpty() ? "missing the model to train" : "unknown model '" + model + "'");
				err.println(USAGE);
				yield 2;
			}
		};
	}

}
