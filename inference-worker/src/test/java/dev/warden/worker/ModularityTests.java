package dev.warden.worker;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

class ModularityTests {

	private final ApplicationModules modules = ApplicationModules.of(WorkerApplication.class);

	@Test
	void modulesRespectTheirBoundaries() {
		modules.verify();
	}

	@Test
	void writesModuleDiagrams() {
		new Documenter(modules, Documenter.Options.defaults().withOutputFolder("../docs/modules/inference-worker"))
			.writeModulesAsPlantUml()
			.writeIndividualModulesAsPlantUml();
	}

}
