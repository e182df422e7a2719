// Hardhat tasks: thin wrappers that parse arguments and call the library in src/.
import "./bench";
import "./docs";
import "./roles";
import "./audit";
import "./operators";
import "./vault";
