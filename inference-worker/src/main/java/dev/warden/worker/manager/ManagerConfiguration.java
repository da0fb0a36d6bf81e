package dev.warden.worker.manager;

import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.Loader;
import dev.warden.worker.source.AspiredVersionsSource;
import dev.warden.worker.source.InitialStoreFill;
import dev.warden.worker.source.LifecycleProperties;
import dev.warden.worker.source.ModelStoreProperties;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The worker's manager: the servables are loaded SavedModels, loaded by the worker's
 * {@link Loader} of them.
 */
@Configuration(proxyBeanMethods = false)
class ManagerConfiguration {

	/**
	 * The manager, created after every {@link InitialStoreFill} has filled the store, so
	 * that its startup pass (and with it the worker's readiness) covers what they
	 * brought.
	 */
	@Bean
	ServableManager<LoadedServable> servableManager(AspiredVersionsSource source, Loader<LoadedServable> loader,
			ModelStoreProperties store, LifecycleProperties lifecycle, MeterRegistry meters,
			ObjectProvider<InitialStoreFill> fills) {
		fills.orderedStream().forEach(InitialStoreFill::fillBeforeStartup);
		return new ServableManager<>(source, loader, store, lifecycle, meters);
	}

}
