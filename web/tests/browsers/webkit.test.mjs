// WebKitGTK's MiniBrowser (WebKitWebDriver, on Xvfb): see suite.mjs.
import { defineBrowserTests } from './suite.mjs';

defineBrowserTests('webkit');
