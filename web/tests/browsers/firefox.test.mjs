// Debian's Firefox ESR (headless, WebDriver BiDi): see suite.mjs.
import { defineBrowserTests } from './suite.mjs';

defineBrowserTests('firefox');
