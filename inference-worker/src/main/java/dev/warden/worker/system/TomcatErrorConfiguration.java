package dev.warden.worker.system;

import org.apache.catalina.Container;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.Valve;
import org.apache.catalina.valves.ErrorReportValve;

import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Installs {@link JsonErrorReportValve} in place of Tomcat's HTML error report valve on
 * the host, so that requests Tomcat refuses itself get the worker's JSON error.
 */
@Configuration(proxyBeanMethods = false)
class TomcatErrorConfiguration {

	@Bean
	TomcatContextCustomizer jsonErrorReports() {
		// the host adds its error report valve when it starts, before it starts this
		// context: replace it then
		return (context) -> context.addLifecycleListener((event) -> {
			if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
				Container host = context.getParent();
				for (Valve valve : host.getPipeline().getValves()) {
					if (valve instanceof ErrorReportValve && !(valve instanceof JsonErrorReportValve)) {
						host.getPipeline().removeValve(valve);
					}
				}
				host.getPipeline().addValve(new JsonErrorReportValve());
			}
		});
	}

}
