// Browser-safe report module: PNG encoding, image grids, plots (raster and SVG) and the HTML report.
export { labelColor } from "./color.js";
export type { Rgba } from "./color.js";
export type { RgbaImage } from "./raster.js";
export { encodePng, pngDataUri } from "./png.js";
export type { EncodePngOptions, PngImage } from "./png.js";
export { imageGrid, placeImagesAt } from "./images.js";
export type { GridLayout, ImageGridOptions, PlaceImagesOptions } from "./images.js";
export { barChartRaster, densityRaster, lineChartRaster, scatterRaster } from "./charts.js";
export type { Bar, LineSeries, RasterChartOptions } from "./charts.js";
export { barChartSvg, heatmapSvg, imageGridSvg, lineChartSvg, scatterSvg } from "./svg.js";
export type { ImageGridSvgOptions, SvgChartOptions } from "./svg.js";
export { escapeHtml } from "./escape.js";
export { confusionMatrix } from "./confusion.js";
export { formatMetric, pngFigure, renderReportHtml, reportFiles, svgFigure } from "./html.js";
export type { Figure, FigureBase, Report, ReportSection, Table } from "./html.js";
