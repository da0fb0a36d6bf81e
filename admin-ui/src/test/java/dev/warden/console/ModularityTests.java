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

	@Test
	void writesModuleDiagrams() {
		new Documenter(this.modules, Documenter.Options.defaults().withOutputFolder("../docs/modules/admin-ui"))
			.writeModulesAsPlantUml()
			.writeIndividualModulesAsPlantUml();
	}

}
