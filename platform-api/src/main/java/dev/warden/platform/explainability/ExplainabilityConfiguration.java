package dev.warden.platform.explainability;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.warden.platform.explainability.internal.WorkerExplainer;
import dev.warden.platform.explainability.internal.WorkerModels;
import dev.warden.platform.worker.WorkerClient;

/** The module's adapters to the inference workers. */
@Configuration(proxyBeanMethods = false)
class ExplainabilityConfiguration {

	@Bean
	WorkerModels explainabilityWorkerModels(WorkerClient worker) {
		return new WorkerModels(worker);
	}

	@Bean
	WorkerExplainer workerExplainer(WorkerClient worker) {
		return new WorkerExplainer(worker);
	}

}
