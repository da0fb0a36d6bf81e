package dev.warden.platform;

import org.junit.jupiter.api.Test;

import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

class ModularityTests {

	private final ApplicationModules modules = ApplicationModules.of(PlatformApiApplication.class);

	@Test
	void modulesRespectTheirBoundaries() {
		this.modules.verify();
	}

	@Test
	void writesModuleDiagrams() {
		new Documenter(this.modules, "../docs/modules/platform-api").writeModulesAsPlantUml()
			.writeIndividualModulesAsPlantUml();
	}

}
