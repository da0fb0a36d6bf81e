package dev.warden.console;

import org.junit.jupiter.api.Test;

import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

class ModularityTests {

	private final ApplicationModules modules = ApplicationModules.of(ConsoleApplication.class);

	@Test
	void modulesRespectTheirBoundaries() {
		this.modules.verify();
	}

	/**
	 * Writes the module diagrams (PlantUML) into {@code target/spring-modulith-docs},
	 * never into the tracked tree; docs/architecture.md says how to look at them.
	 */
	@Test
	void writesModuleDiagrams() {
		new Documenter(this.modules, Documenter.Options.defaults()).writeModulesAsPlantUml()
			.writeIndividualModulesAsPlantUml();
	}

}
