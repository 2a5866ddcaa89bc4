// The drawing page's entry: it only builds the controller.
import { App } from './app.js';

new App(document).start();
