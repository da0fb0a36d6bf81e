package dev.warden.worker;

import dev.warden.worker.loader.JavaCppSettings;
import dev.warden.worker.training.TrainingCommand;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The inference worker. {@code train income|spam --store DIR ...} trains a reference
 * model and exits without starting the web server; any other arguments start the worker.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WorkerApplication {

	public static void main(String[] args) {
		JavaCppSettings.apply();
		if (TrainingCommand.matches(args)) {
			System.exit(TrainingCommand.run(args, System.out, System.err));
		}
		SpringApplication.run(WorkerApplication.class, args);
	}

}
